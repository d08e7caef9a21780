import { describe, expect, it } from "vitest";
import { applyDelta, bookFromSnapshot, spread, withDepth } from "./book";

const snapshot = {
  bids: [
    { price: 99, volume: 1, order_count: 1 },
    { price: 100, volume: 2, order_count: 2 },
  ],
  asks: [
    { price: 102, volume: 3, order_count: 1 },
    { price: 101, volume: 1, order_count: 1 },
  ],
  version: 10,
};

describe("book", () => {
  it("orders the snapshot best first", () => {
    const book = bookFromSnapshot(snapshot);
    expect(book.bids.map((l) => l.price)).toEqual([100, 99]);
    expect(book.asks.map((l) => l.price)).toEqual([101, 102]);
    expect(spread(book)).toBe(1);
  });

  it("applies the next delta: changed, new and removed levels", () => {
    const book = bookFromSnapshot(snapshot);
    const { book: next, result } = applyDelta(book, {
      version: 11,
      changes: [
        { side: "Buy", price: 100, volume: 5, order_count: 3 },
        { side: "Buy", price: 100.5, volume: 1, order_count: 1 },
        { side: "Sell", price: 101, volume: 0, order_count: 0 },
      ],
    });
    expect(result).toBe("applied");
    expect(next.version).toBe(11);
    expect(next.bids).toEqual([
      { price: 100.5, volume: 1, order_count: 1 },
      { price: 100, volume: 5, order_count: 3 },
      { price: 99, volume: 1, order_count: 1 },
    ]);
    expect(next.asks.map((l) => l.price)).toEqual([102]);
    expect(book.asks.length).toBe(2); // the old book is left as it was
  });

  it("ignores deltas already in the snapshot and reports a gap", () => {
    const book = bookFromSnapshot(snapshot);
    expect(applyDelta(book, { version: 10, changes: [] }).result).toBe("stale");
    expect(applyDelta(book, { version: 9, changes: [] }).book).toBe(book);
    expect(applyDelta(book, { version: 12, changes: [] }).result).toBe("gap");
  });

  it("sums depth from the best price out", () => {
    const book = bookFromSnapshot(snapshot);
    expect(withDepth(book.asks, 5).map((l) => l.total)).toEqual([1, 4]);
  });
});
