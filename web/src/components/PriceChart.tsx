import {
  CandlestickSeries,
  ColorType,
  HistogramSeries,
  createChart,
  type IChartApi,
  type ISeriesApi,
  type UTCTimestamp,
} from "lightweight-charts";
import { useEffect, useRef } from "react";
import { INTERVALS, type Candle, type Interval } from "../lib/candles";

interface Props {
  candles: Candle[];
  interval: Interval;
  onInterval: (interval: Interval) => void;
  priceDecimals: number;
}

const UP = "#26a69a";
const DOWN = "#ef5350";

export function PriceChart({ candles, interval, onInterval, priceDecimals }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const price = useRef<ISeriesApi<"Candlestick"> | null>(null);
  const volume = useRef<ISeriesApi<"Histogram"> | null>(null);
  const shown = useRef(0);

  useEffect(() => {
    if (!container.current) return;
    const c = createChart(container.current, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: "#131722" }, textColor: "#b2b5be" },
      grid: { vertLines: { color: "#1e222d" }, horzLines: { color: "#1e222d" } },
      timeScale: { timeVisible: true, secondsVisible: false },
    });
    price.current = c.addSeries(CandlestickSeries, {
      upColor: UP,
      downColor: DOWN,
      borderVisible: false,
      wickUpColor: UP,
      wickDownColor: DOWN,
    });
    volume.current = c.addSeries(HistogramSeries, { priceScaleId: "", priceFormat: { type: "volume" } });
    volume.current.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    chart.current = c;
    return () => c.remove();
  }, []);

  useEffect(() => {
    price.current?.applyOptions({
      priceFormat: { type: "price", precision: priceDecimals, minMove: 10 ** -priceDecimals },
    });
  }, [priceDecimals]);

  useEffect(() => {
    const time = (c: Candle) => Math.floor(c.open_time / 1000) as UTCTimestamp;
    price.current?.setData(candles.map((c) => ({ time: time(c), open: c.open, high: c.high, low: c.low, close: c.close })));
    volume.current?.setData(
      candles.map((c) => ({ time: time(c), value: c.volume, color: c.close >= c.open ? `${UP}80` : `${DOWN}80` })),
    );
    // A fresh history (not the running candle moving on): show all of it.
    if (Math.abs(candles.length - shown.current) > 1) chart.current?.timeScale().fitContent();
    shown.current = candles.length;
  }, [candles]);

  return (
    <section className="panel chart" data-testid="chart">
      <div className="panel-title">
        <span>Chart</span>
        <span className="intervals">
          {INTERVALS.map((i) => (
            <button key={i} className={i === interval ? "active" : ""} onClick={() => onInterval(i)}>
              {i}
            </button>
          ))}
        </span>
        <span className="muted" data-testid="candle-count">{candles.length} candles</span>
      </div>
      <div className="chart-body" ref={container} />
    </section>
  );
}
