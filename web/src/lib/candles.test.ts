import { describe, expect, it } from "vitest";
import { upsertCandle, type Candle } from "./candles";

const candle = (open_time: number, close: number, volume = 1): Candle => ({
  open_time,
  close_time: open_time + 59_999,
  open: 100,
  high: Math.max(100, close),
  low: Math.min(100, close),
  close,
  volume,
  trade_count: 1,
});

describe("candles", () => {
  it("updates the running candle in place", () => {
    const next = upsertCandle([candle(0, 100), candle(60_000, 101)], candle(60_000, 105, 3));
    expect(next.length).toBe(2);
    expect(next[1].close).toBe(105);
    expect(next[1].volume).toBe(3);
  });

  it("starts a new candle when the interval rolls over", () => {
    const next = upsertCandle([candle(0, 100)], candle(60_000, 99));
    expect(next.map((c) => c.open_time)).toEqual([0, 60_000]);
  });

  it("replaces a late update of an older candle, ignores an unknown one", () => {
    const list = [candle(0, 100), candle(60_000, 101)];
    expect(upsertCandle(list, candle(0, 98))[0].close).toBe(98);
    expect(upsertCandle(list, candle(-60_000, 98))).toBe(list);
  });

  it("keeps a bounded history", () => {
    let list: Candle[] = [];
    for (let i = 0; i < 5; i++) list = upsertCandle(list, candle(i * 60_000, 100), 3);
    expect(list.map((c) => c.open_time)).toEqual([120_000, 180_000, 240_000]);
  });
});
