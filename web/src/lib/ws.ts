// One WebSocket to xtraderd for the whole screen: subscriptions are remembered and sent again after
// every reconnect (exponential backoff from 0.5 s to 10 s), and the API key and the admin token
// (the Surveillance view's `alerts` channel) re-authenticated.

export type ConnectionState = "connecting" | "open" | "closed";

export type WsMessage = { type: string; channel?: string; [key: string]: unknown };

export class MarketSocket {
  private ws: WebSocket | null = null;
  private channels = new Set<string>();
  private apiKey: string | null = null;
  private adminToken: string | null = null;
  private backoff = 500;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly onMessage: (message: WsMessage) => void,
    private readonly onState: (state: ConnectionState) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close();
  }

  subscribe(channels: string[]): void {
    const fresh = channels.filter((c) => !this.channels.has(c));
    fresh.forEach((c) => this.channels.add(c));
    if (fresh.length) this.send({ op: "subscribe", channels: fresh });
  }

  unsubscribe(channels: string[]): void {
    const known = channels.filter((c) => this.channels.delete(c));
    if (known.length) this.send({ op: "unsubscribe", channels: known });
  }

  // Resubscribes the channels given: the server answers each orderbook subscription with a
  // fresh snapshot, the way back from a gap.
  resubscribe(channels: string[]): void {
    this.unsubscribe(channels);
    this.subscribe(channels);
  }

  authenticate(apiKey: string | null): void {
    this.apiKey = apiKey;
    if (apiKey) {
      this.send({ op: "auth", api_key: apiKey });
      this.subscribe(["orders"]);
    } else {
      this.unsubscribe(["orders"]);
    }
  }

  authenticateAdmin(token: string | null): void {
    this.adminToken = token;
    if (token) {
      this.send({ op: "auth", admin_token: token });
      this.subscribe(["alerts"]);
    } else {
      this.unsubscribe(["alerts"]);
    }
  }

  private send(message: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private connect(): void {
    this.onState("connecting");
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.backoff = 500;
      this.onState("open");
      if (this.apiKey) ws.send(JSON.stringify({ op: "auth", api_key: this.apiKey }));
      if (this.adminToken) ws.send(JSON.stringify({ op: "auth", admin_token: this.adminToken }));
      if (this.channels.size) ws.send(JSON.stringify({ op: "subscribe", channels: [...this.channels] }));
    };
    // Batched delivery (?batch=1): each frame is an array of every message ready for this
    // screen, so a busy market costs one frame per write rather than one per message.
    ws.onmessage = (event) => {
      let frame: unknown;
      try {
        frame = JSON.parse(event.data as string);
      } catch {
        return; // Not JSON: nothing the screen can use.
      }
      for (const message of Array.isArray(frame) ? frame : [frame]) {
        this.onMessage(message as WsMessage);
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.onState("closed");
      if (this.stopped) return;
      this.timer = setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, 10_000);
    };
  }
}

// The WebSocket is on its own port (7001 by default); ?ws=PORT overrides it (tests, proxies).
export function socketUrl(location: Location): string {
  const params = new URLSearchParams(location.search);
  const port = params.get("ws") ?? "7001";
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.hostname}:${port}/ws?batch=1`;
}
