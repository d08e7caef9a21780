import type { Market, PublicTrade } from "../lib/api";
import { formatDecimal, formatTime } from "../lib/format";

export function TradeTape({ trades, market }: { trades: PublicTrade[]; market: Market }) {
  return (
    <section className="panel tape" data-testid="trades">
      <div className="panel-title">
        <span>Trades</span>
      </div>
      <div className="book-head muted">
        <span>Price</span>
        <span>Size</span>
        <span>Time</span>
      </div>
      <div className="rows">
        {trades.map((t) => (
          <div key={t.exec_id} className={`tape-row ${t.side === "Buy" ? "up" : "down"}`} data-testid="trade">
            <span>{formatDecimal(t.price, market.price_decimals)}</span>
            <span>{formatDecimal(t.quantity, market.quantity_decimals)}</span>
            <span className="muted">{formatTime(t.transaction_time)}</span>
          </div>
        ))}
      </div>
    </section>
  );
}
