import { useState } from "react";
import { call, explainRefusal, type Balance, type Market, type Order, type OwnExecution } from "../lib/api";
import { formatAmount, formatDecimal, formatTime } from "../lib/format";

// The demo accounts of config/xtrader.toml, offered on the sign-in form.
const DEMO_KEYS = [
  ["alice", "demo-alice-3f9c2a"],
  ["bob", "demo-bob-7d41e8"],
  ["carol", "demo-carol-b2e6f0"],
  ["market-maker", "demo-mm-91ac57"],
];

interface Props {
  apiKey: string | null;
  onSignIn: (key: string | null) => void;
  markets: Market[];
  balances: Balance[];
  openOrders: Order[];
  executions: OwnExecution[];
  onChange: () => void;
}

export function AccountPanel({ apiKey, onSignIn, markets, balances, openOrders, executions, onChange }: Props) {
  const [key, setKey] = useState("");
  const [tab, setTab] = useState<"orders" | "executions" | "balances">("orders");
  const [message, setMessage] = useState<string | null>(null);
  const market = (symbol: string) => markets.find((m) => m.symbol === symbol);

  if (!apiKey) {
    return (
      <section className="panel account" data-testid="sign-in">
        <div className="panel-title">
          <span>Sign in</span>
        </div>
        <div className="row">
          <input placeholder="X-API-Key" value={key} onChange={(e) => setKey(e.target.value)} data-testid="api-key" />
          <button onClick={() => key && onSignIn(key)} data-testid="sign-in-button">
            Sign in
          </button>
        </div>
        <div className="muted small">
          Demo accounts:{" "}
          {DEMO_KEYS.map(([name, k]) => (
            <button key={k} className="link" onClick={() => onSignIn(k)} data-testid={`demo-${name}`}>
              {name}
            </button>
          ))}
        </div>
      </section>
    );
  }

  const cancel = async (order: Order) => {
    const answer = await call<Order>("DELETE", `/v1/order/${order.order_id}`, apiKey);
    setMessage(answer.status === 200 ? `Order ${order.order_id} cancelled` : explainRefusal(answer));
    onChange();
  };

  return (
    <section className="panel account" data-testid="account">
      <div className="panel-title">
        <span className="tabs-inline">
          <button className={tab === "orders" ? "active" : ""} onClick={() => setTab("orders")} data-testid="tab-orders">
            Open orders ({openOrders.length})
          </button>
          <button className={tab === "executions" ? "active" : ""} onClick={() => setTab("executions")} data-testid="tab-executions">
            My executions
          </button>
          <button className={tab === "balances" ? "active" : ""} onClick={() => setTab("balances")} data-testid="tab-balances">
            Balances
          </button>
        </span>
        <button className="link" onClick={() => onSignIn(null)} data-testid="sign-out">
          Sign out
        </button>
      </div>
      {message && <div className="muted small">{message}</div>}
      {tab === "orders" && (
        <table data-testid="open-orders">
          <thead>
            <tr><th>Order</th><th>Market</th><th>Side</th><th>Price</th><th>Quantity</th><th>Filled</th><th>Status</th><th /></tr>
          </thead>
          <tbody>
            {openOrders.map((o) => {
              const m = market(o.symbol);
              return (
                <tr key={o.order_id} data-testid={`open-order-${o.order_id}`}>
                  <td>{o.order_id}</td>
                  <td>{o.symbol}</td>
                  <td className={o.side === "Buy" ? "up" : "down"}>{o.side}</td>
                  <td>
                    {o.order_type === "StopMarket" ? "market" : formatDecimal(o.price, m?.price_decimals ?? 0)}
                    {o.stop_price !== undefined && (
                      <span className="muted small"> stop {formatDecimal(o.stop_price, m?.price_decimals ?? 0)}</span>
                    )}
                  </td>
                  <td>{formatDecimal(o.quantity, m?.quantity_decimals ?? 4)}</td>
                  <td>{formatDecimal(o.filled_quantity, m?.quantity_decimals ?? 4)}</td>
                  <td data-testid="status">{o.status}</td>
                  <td><button onClick={() => cancel(o)} data-testid="cancel">Cancel</button></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {tab === "executions" && (
        <table data-testid="my-executions">
          <thead>
            <tr><th>Time</th><th>Order</th><th>Market</th><th>Side</th><th>Price</th><th>Quantity</th><th>Fee</th><th>Role</th></tr>
          </thead>
          <tbody>
            {executions.map((e) => {
              const m = market(e.symbol);
              return (
                <tr key={`${e.exec_id}-${e.is_maker}`} data-testid={`execution-${e.order_id}`}>
                  <td>{formatTime(e.transaction_time)}</td>
                  <td>{e.order_id}</td>
                  <td>{e.symbol}</td>
                  <td className={e.side === "Buy" ? "up" : "down"}>{e.side}</td>
                  <td>{formatDecimal(e.price, m?.price_decimals ?? 0)}</td>
                  <td>{formatDecimal(e.quantity, m?.quantity_decimals ?? 4)}</td>
                  <td>{formatAmount(e.fee)} {e.fee_asset}</td>
                  <td>{e.is_maker ? "maker" : "taker"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {tab === "balances" && (
        <table data-testid="balances">
          <thead>
            <tr><th>Asset</th><th>Available</th><th>Held</th></tr>
          </thead>
          <tbody>
            {balances.map((b) => (
              <tr key={b.asset} data-testid={`balance-${b.asset}`}>
                <td>{b.asset}</td>
                <td data-testid="available">{formatAmount(b.available)}</td>
                <td data-testid="held">{formatAmount(b.held)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
