// The REST side of API.md, as the screen uses it. Every call resolves to the status and the body;
// errors carry the server's sentence, shown to the trader as it is.

export interface Market {
  symbol: string;
  base: string;
  quote: string;
  price_decimals: number;
  quantity_decimals: number;
  tick_size: number;
  lot_size: number;
  min_quantity: number;
  max_quantity: number;
  maker_fee: number;
  taker_fee: number;
  price_band: number | null; // limit prices further than this fraction from the last trade are refused
  status: "trading" | "halted";
}

export interface Statistics {
  symbol: string;
  open_price_24h: number | null;
  high_price_24h: number | null;
  low_price_24h: number | null;
  last_price: number | null;
  volume_24h: number;
  price_change_24h: number | null;
  bid_price: number | null;
  ask_price: number | null;
}

export interface PublicTrade {
  exec_id: string;
  price: number;
  quantity: number;
  side: "Buy" | "Sell";
  transaction_time: number;
  sequence: number;
}

export type OrderType = "Limit" | "Market" | "StopLimit" | "StopMarket";

export interface Order {
  order_id: string;
  symbol: string;
  side: "Buy" | "Sell";
  order_type: OrderType;
  time_in_force: string;
  post_only?: boolean;
  status: "Untriggered" | "Pending" | "PartiallyFilled" | "Filled" | "Cancelled" | "Rejected";
  stop_price?: number; // stop orders only
  reason?: string;
  price: number | null;
  quantity: number;
  filled_quantity: number;
  remaining_quantity: number;
  average_price: number | null;
  timestamp: number;
}

export interface OwnExecution {
  exec_id: string;
  order_id: string;
  symbol: string;
  side: "Buy" | "Sell";
  price: number;
  quantity: number;
  fee: number;
  fee_asset: string;
  is_maker: boolean;
  transaction_time: number;
}

export interface Balance {
  asset: string;
  available: number;
  held: number;
}

export interface Answer<T> {
  status: number;
  body: T;
  error?: string; // the server's message when status is not 2xx
}

export async function call<T>(
  method: string,
  path: string,
  apiKey?: string,
  body?: unknown,
  adminToken?: string,
): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (apiKey) headers["X-API-Key"] = apiKey;
  if (adminToken) headers["X-Admin-Token"] = adminToken;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    return { status: 0, body: undefined as T, error: "the exchange cannot be reached" };
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (response.ok) return { status: response.status, body: parsed as T };
  const error =
    (parsed as { error?: { message?: string } } | undefined)?.error?.message ??
    `the exchange answered ${response.status}`;
  return { status: response.status, body: parsed as T, error };
}

// What a refusal means to a trader: the status's meaning, then the server's own sentence.
export function explainRefusal(answer: Answer<unknown>): string {
  const what: Record<number, string> = {
    400: "Invalid order",
    401: "Not signed in",
    402: "Insufficient balance",
    409: "Conflict",
    429: "Too many requests",
    503: "Exchange busy, retry",
  };
  const head = what[answer.status] ?? `Error ${answer.status}`;
  return answer.error ? `${head}: ${answer.error}` : head;
}
