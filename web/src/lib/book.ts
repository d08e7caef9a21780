// An L2 book kept from a snapshot and the deltas after it (docs/WEBSOCKET.md): a delta whose
// version is at or below the book's is already in it; one more than the book's is applied; any
// other is a gap, and the caller resynchronises from REST.

export type BookSide = "Buy" | "Sell";

export interface Level {
  price: number;
  volume: number;
  order_count: number;
}

export interface Book {
  bids: Level[]; // best (highest) first
  asks: Level[]; // best (lowest) first
  version: number;
}

export interface LevelChange extends Level {
  side: BookSide;
}

export type DeltaResult = "applied" | "stale" | "gap";

export function bookFromSnapshot(snapshot: { bids: Level[]; asks: Level[]; version: number }): Book {
  return {
    bids: [...snapshot.bids].sort((a, b) => b.price - a.price),
    asks: [...snapshot.asks].sort((a, b) => a.price - b.price),
    version: snapshot.version,
  };
}

function applyChange(levels: Level[], change: LevelChange, descending: boolean): Level[] {
  const out = levels.filter((l) => l.price !== change.price);
  if (change.volume > 0) {
    out.push({ price: change.price, volume: change.volume, order_count: change.order_count });
    out.sort((a, b) => (descending ? b.price - a.price : a.price - b.price));
  }
  return out;
}

// Returns the new book (the same object when nothing changed) and what happened.
export function applyDelta(
  book: Book,
  delta: { version: number; changes: LevelChange[] },
): { book: Book; result: DeltaResult } {
  if (delta.version <= book.version) return { book, result: "stale" };
  if (delta.version !== book.version + 1) return { book, result: "gap" };
  let { bids, asks } = book;
  for (const change of delta.changes) {
    if (change.side === "Buy") bids = applyChange(bids, change, true);
    else asks = applyChange(asks, change, false);
  }
  return { book: { bids, asks, version: delta.version }, result: "applied" };
}

// Levels with the running total from the best price outwards, for depth bars.
export function withDepth(levels: Level[], count: number): Array<Level & { total: number }> {
  let total = 0;
  return levels.slice(0, count).map((l) => {
    total += l.volume;
    return { ...l, total };
  });
}

export function spread(book: Book): number | null {
  if (book.bids.length === 0 || book.asks.length === 0) return null;
  return book.asks[0].price - book.bids[0].price;
}
