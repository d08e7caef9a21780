// Candles of one interval, oldest first, as /api/v1/klines gives them and CandlestickUpdate
// refreshes them: an update replaces the candle with its open_time or starts a new one.

export interface Candle {
  open_time: number;
  close_time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trade_count: number;
}

export const INTERVALS = ["1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w"] as const;
export type Interval = (typeof INTERVALS)[number];

export function upsertCandle(candles: Candle[], update: Candle, keep = 1000): Candle[] {
  const last = candles[candles.length - 1];
  if (last && update.open_time < last.open_time) {
    // An older candle (a late update): replace it in place if present.
    const i = candles.findIndex((c) => c.open_time === update.open_time);
    if (i < 0) return candles;
    const out = candles.slice();
    out[i] = update;
    return out;
  }
  const out = last && last.open_time === update.open_time ? candles.slice(0, -1) : candles.slice();
  out.push(update);
  return out.length > keep ? out.slice(out.length - keep) : out;
}
