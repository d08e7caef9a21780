import { useState } from "react";
import { ALERT_KINDS, kindLabel, type Alert } from "../lib/alerts";
import { formatTime } from "../lib/format";

interface Props {
  adminToken: string | null;
  onSignIn: (token: string | null) => void;
  alerts: Alert[];
  error: string | null;
}

// The operator's view: live alerts (REST at sign-in, then the `alerts` channel), filtered by
// kind, each alert's evidence on selection.
export function SurveillancePanel({ adminToken, onSignIn, alerts, error }: Props) {
  const [token, setToken] = useState("");
  const [kind, setKind] = useState<string>("all");
  const [selected, setSelected] = useState<string | null>(null);

  if (!adminToken) {
    return (
      <section className="panel surveillance" data-testid="surveillance-sign-in">
        <div className="panel-title">
          <span>Surveillance — sign in with the admin token</span>
        </div>
        <div className="row">
          <input
            type="password"
            placeholder="X-Admin-Token"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            data-testid="admin-token"
          />
          <button onClick={() => token && onSignIn(token)} data-testid="admin-sign-in">
            Sign in
          </button>
        </div>
        {error && <div className="error">{error}</div>}
      </section>
    );
  }
  const shown = kind === "all" ? alerts : alerts.filter((a) => a.kind === kind);
  const chosen = alerts.find((a) => a.id === selected) ?? null;
  return (
    <section className="panel surveillance" data-testid="surveillance">
      <div className="panel-title">
        <span>Surveillance</span>
        <select value={kind} onChange={(e) => setKind(e.target.value)} data-testid="alert-kind">
          <option value="all">every kind</option>
          {ALERT_KINDS.map((k) => (
            <option key={k} value={k}>
              {kindLabel(k)}
            </option>
          ))}
        </select>
        <button className="link" onClick={() => onSignIn(null)}>
          sign out
        </button>
      </div>
      {error && <div className="error">{error}</div>}
      <div className="surveillance-body">
        <table className="alerts" data-testid="alerts">
          <thead>
            <tr>
              <th>time</th>
              <th>kind</th>
              <th>market</th>
              <th>accounts</th>
              <th>what</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((a) => (
              <tr
                key={a.id}
                className={`${a.severity} ${a.id === selected ? "selected" : ""}`}
                onClick={() => setSelected(a.id)}
                data-testid="alert-row"
                data-kind={a.kind}
              >
                <td>{formatTime(a.time)}</td>
                <td>{kindLabel(a.kind)}</td>
                <td>{a.symbol}</td>
                <td>{a.accounts.join(", ")}</td>
                <td className="summary">{a.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {chosen && (
          <div className="evidence" data-testid="evidence">
            <div className="muted small">{chosen.id}</div>
            <div>
              {kindLabel(chosen.kind)} · {chosen.severity} · {chosen.symbol}
            </div>
            <div>{chosen.summary}</div>
            <div>accounts: {chosen.accounts.join(", ") || "—"}</div>
            <div data-testid="evidence-orders">orders: {chosen.orders.join(", ") || "—"}</div>
            <div data-testid="evidence-executions">executions: {chosen.executions.join(", ") || "—"}</div>
          </div>
        )}
      </div>
    </section>
  );
}
