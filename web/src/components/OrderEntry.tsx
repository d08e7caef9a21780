import { useState } from "react";
import { call, explainRefusal, type Balance, type Market, type Order, type OrderType } from "../lib/api";
import { floorToStep, formatDecimal, toRequestText } from "../lib/format";

interface Props {
  market: Market;
  apiKey: string | null;
  balances: Balance[];
  price: string;
  onPrice: (price: string) => void;
  lastPrice: number | null;
  onAnswer: (order: Order | null) => void;
}

type Result = { ok: boolean; text: string };

export function OrderEntry({ market, apiKey, balances, price, onPrice, lastPrice, onAnswer }: Props) {
  const [side, setSide] = useState<"Buy" | "Sell">("Buy");
  const [type, setType] = useState<OrderType>("Limit");
  const [stopPrice, setStopPrice] = useState("");
  // Limit and stop-limit orders carry a price; the stop kinds a stop price.
  const limited = type === "Limit" || type === "StopLimit";
  const stop = type === "StopLimit" || type === "StopMarket";
  const [tif, setTif] = useState<"GTC" | "IOC" | "FOK">("GTC");
  const [postOnly, setPostOnly] = useState(false);
  const [quantity, setQuantity] = useState("");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | null>(null);

  const available = (asset: string) => balances.find((b) => b.asset === asset)?.available ?? 0;

  const max = () => {
    if (side === "Sell") {
      setQuantity(toRequestText(floorToStep(available(market.base), market.lot_size, market.quantity_decimals), market.quantity_decimals));
      return;
    }
    const at = limited ? Number(price) : type === "StopMarket" ? Number(stopPrice) : lastPrice;
    if (!at) return;
    // The hold of a limit buy covers the taker fee too.
    const affordable = available(market.quote) / (at * (1 + market.taker_fee));
    setQuantity(toRequestText(floorToStep(affordable, market.lot_size, market.quantity_decimals), market.quantity_decimals));
  };

  const submit = async () => {
    if (!apiKey) return;
    setBusy(true);
    const body: Record<string, unknown> = { symbol: market.symbol, side, order_type: type, quantity };
    if (limited) {
      body.price = price;
      body.time_in_force = tif;
      if (postOnly && tif === "GTC" && type === "Limit") body.post_only = true;
    } else {
      body.time_in_force = tif === "GTC" ? "IOC" : tif;
    }
    if (stop) body.stop_price = stopPrice;
    const answer = await call<Order>("POST", "/v1/order", apiKey, body);
    setBusy(false);
    onAnswer(answer.status === 200 ? answer.body : null);
    if (answer.status === 200) {
      const o = answer.body;
      const filled = formatDecimal(o.filled_quantity, market.quantity_decimals);
      setResult({
        ok: o.status !== "Rejected",
        text: `${o.status}${o.reason ? ` (${o.reason})` : ""} — order ${o.order_id}, filled ${filled} ${market.base}`,
      });
    } else {
      setResult({ ok: false, text: explainRefusal(answer) });
    }
  };

  return (
    <section className="panel entry" data-testid="order-entry">
      <div className="panel-title">
        <span>Order</span>
      </div>
      <div className="tabs">
        <button className={side === "Buy" ? "buy active" : ""} onClick={() => setSide("Buy")} data-testid="side-buy">
          Buy
        </button>
        <button className={side === "Sell" ? "sell active" : ""} onClick={() => setSide("Sell")} data-testid="side-sell">
          Sell
        </button>
      </div>
      <div className="row">
        <select value={type} onChange={(e) => setType(e.target.value as OrderType)} data-testid="order-type">
          <option>Limit</option>
          <option>Market</option>
          <option value="StopLimit">Stop limit</option>
          <option value="StopMarket">Stop market</option>
        </select>
        <select value={tif} onChange={(e) => setTif(e.target.value as "GTC" | "IOC" | "FOK")} data-testid="tif">
          {limited && <option>GTC</option>}
          <option>IOC</option>
          <option>FOK</option>
        </select>
        <label className="check">
          <input
            type="checkbox"
            checked={postOnly}
            disabled={type !== "Limit" || tif !== "GTC"}
            onChange={(e) => setPostOnly(e.target.checked)}
          />
          Post-only
        </label>
      </div>
      {stop && <PriceField label="Stop price" market={market} value={stopPrice} onChange={setStopPrice} testId="stop-price" />}
      {limited && <PriceField label="Price" market={market} value={price} onChange={onPrice} testId="price" />}
      <label>
        Quantity ({market.base})
        <span className="with-button">
          <input
            inputMode="decimal"
            step={market.lot_size}
            value={quantity}
            onChange={(e) => setQuantity(e.target.value)}
            data-testid="quantity"
          />
          <button onClick={max} disabled={!apiKey} data-testid="max">
            Max
          </button>
        </span>
      </label>
      <div className="muted small">
        tick {formatDecimal(market.tick_size, market.price_decimals)} · lot{" "}
        {formatDecimal(market.lot_size, market.quantity_decimals)} · available{" "}
        {side === "Buy"
          ? `${formatDecimal(available(market.quote), 0)} ${market.quote}`
          : `${formatDecimal(available(market.base), market.quantity_decimals)} ${market.base}`}
      </div>
      {stop && (
        <div className="muted small">
          Waits until a trade {side === "Buy" ? "at or above" : "at or below"} the stop price, then enters as a{" "}
          {type === "StopLimit" ? "limit" : "market"} order.
        </div>
      )}
      {market.status === "halted" && (
        <div className="result error" data-testid="halted-note">
          {market.symbol} is halted: new orders are refused, cancels accepted.
        </div>
      )}
      <button
        className={`submit ${side === "Buy" ? "buy" : "sell"}`}
        disabled={!apiKey || busy || !quantity}
        onClick={submit}
        data-testid="submit"
      >
        {apiKey ? `${side} ${market.base}` : "Sign in to trade"}
      </button>
      {result && (
        <div className={`result ${result.ok ? "ok" : "error"}`} data-testid="order-result">
          {result.text}
        </div>
      )}
    </section>
  );
}

// A price in the market's quote currency, stepped by its tick.
function PriceField(props: {
  label: string;
  market: Market;
  value: string;
  onChange: (value: string) => void;
  testId: string;
}) {
  return (
    <label>
      {props.label} ({props.market.quote})
      <input
        inputMode="decimal"
        step={props.market.tick_size}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        data-testid={props.testId}
      />
    </label>
  );
}
