// Surveillance alerts as the admin API and the `alerts` channel carry them (docs/SURVEILLANCE.md).

export interface Alert {
  id: string;
  kind: string;
  severity: "info" | "warning" | "critical";
  symbol: string;
  time: number;
  sequence: number;
  accounts: number[];
  executions: string[];
  orders: string[];
  summary: string;
}

export const ALERT_KINDS = [
  "large_trade",
  "whale",
  "whale_order",
  "wash_trade",
  "wash_ring",
  "spoofing",
  "price_deviation",
  "arbitrage",
] as const;

// Kept on the screen: the newest this many.
export const ALERTS_KEPT = 200;

// The known alerts with `incoming` added: each id once (an alert read over REST and then
// announced on the socket, or announced twice by an at-least-once relay), newest first.
export function mergeAlerts(known: Alert[], incoming: Alert[]): Alert[] {
  const byId = new Map<string, Alert>();
  for (const a of [...incoming, ...known]) if (!byId.has(a.id)) byId.set(a.id, a);
  return [...byId.values()]
    .sort((a, b) => b.time - a.time || b.sequence - a.sequence || (a.id < b.id ? -1 : 1))
    .slice(0, ALERTS_KEPT);
}

export function kindLabel(kind: string): string {
  return kind.replaceAll("_", " ");
}
