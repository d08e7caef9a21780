import { spread, withDepth, type Book } from "../lib/book";
import { formatDecimal } from "../lib/format";
import type { Market } from "../lib/api";

interface Props {
  book: Book;
  market: Market;
  onPrice: (price: number) => void;
}

const DEPTH = 12;

export function OrderBook({ book, market, onPrice }: Props) {
  const asks = withDepth(book.asks, DEPTH);
  const bids = withDepth(book.bids, DEPTH);
  const max = Math.max(asks[asks.length - 1]?.total ?? 0, bids[bids.length - 1]?.total ?? 0) || 1;
  const gap = spread(book);
  const row = (side: "ask" | "bid") => (l: (typeof asks)[number]) => (
    <div key={`${side}${l.price}`} className={`book-row ${side}`} onClick={() => onPrice(l.price)}>
      <div className="depth" style={{ width: `${(100 * l.total) / max}%` }} />
      <span className="price">{formatDecimal(l.price, market.price_decimals)}</span>
      <span>{formatDecimal(l.volume, market.quantity_decimals)}</span>
      <span className="muted">{l.order_count}</span>
    </div>
  );
  return (
    <section className="panel book" data-testid="orderbook">
      <div className="panel-title">
        <span>Order book</span>
      </div>
      <div className="book-head muted">
        <span>Price ({market.quote})</span>
        <span>Size ({market.base})</span>
        <span>Orders</span>
      </div>
      <div className="asks" data-testid="asks">{[...asks].reverse().map(row("ask"))}</div>
      <div className="spread" data-testid="spread">
        Spread {gap === null ? "–" : formatDecimal(gap, market.price_decimals)}
      </div>
      <div className="bids" data-testid="bids">{bids.map(row("bid"))}</div>
    </section>
  );
}
