import { useCallback, useEffect, useRef, useState } from "react";
import { AccountPanel } from "./components/AccountPanel";
import { OrderBook } from "./components/OrderBook";
import { OrderEntry } from "./components/OrderEntry";
import { PriceChart } from "./components/PriceChart";
import { SurveillancePanel } from "./components/SurveillancePanel";
import { TradeTape } from "./components/TradeTape";
import {
  call,
  type Balance,
  type Market,
  type Order,
  type OwnExecution,
  type PublicTrade,
  type Statistics,
} from "./lib/api";
import { mergeAlerts, type Alert } from "./lib/alerts";
import { applyDelta, bookFromSnapshot, type Book, type LevelChange } from "./lib/book";
import { upsertCandle, type Candle, type Interval } from "./lib/candles";
import { executionsOfAnswer, mergeExecutions } from "./lib/executions";
import { formatDecimal, formatPercent, toRequestText } from "./lib/format";
import { MarketSocket, socketUrl, type ConnectionState, type WsMessage } from "./lib/ws";

const EMPTY_BOOK: Book = { bids: [], asks: [], version: 0 };
const TAPE = 50;
const MARKETS_REFRESH_MS = 5000;

export function App() {
  const [markets, setMarkets] = useState<Market[]>([]);
  const [symbol, setSymbol] = useState<string>("");
  const [stats, setStats] = useState<Statistics | null>(null);
  const [book, setBook] = useState<Book>(EMPTY_BOOK);
  const [trades, setTrades] = useState<PublicTrade[]>([]);
  const [interval, setInterval_] = useState<Interval>("1m");
  const [candles, setCandles] = useState<Candle[]>([]);
  const [connection, setConnection] = useState<ConnectionState>("connecting");
  // How often the socket has dropped: a brief "reconnecting" leaves this trace for tests.
  const [drops, setDrops] = useState(0);
  const [apiKey, setApiKey] = useState<string | null>(() => localStorage.getItem("xtrader.apiKey"));
  const [balances, setBalances] = useState<Balance[]>([]);
  const [openOrders, setOpenOrders] = useState<Order[]>([]);
  const [executions, setExecutions] = useState<OwnExecution[]>([]);
  const [price, setPrice] = useState("");
  // The Surveillance view, for the operator: the admin token lives as long as the tab.
  const [view, setView] = useState<"trade" | "surveillance">("trade");
  const [adminToken, setAdminToken] = useState<string | null>(() => sessionStorage.getItem("xtrader.adminToken"));
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [alertsError, setAlertsError] = useState<string | null>(null);
  const socket = useRef<MarketSocket | null>(null);
  const apiKeyRef = useRef(apiKey);
  apiKeyRef.current = apiKey;
  const current = useRef({ symbol, interval, book });
  current.current = { symbol, interval, book };

  const market = markets.find((m) => m.symbol === symbol);

  // ---- REST reads: the start, the fallback, and the way back from a gap ----
  const loadBook = useCallback(async (sym: string) => {
    const a = await call<Book & { bids: Book["bids"] }>("GET", `/api/v1/orderbook/${sym}?depth=50`);
    if (a.status === 200 && current.current.symbol === sym) {
      setBook((b) => (a.body.version >= b.version || b === EMPTY_BOOK ? bookFromSnapshot(a.body) : b));
    }
  }, []);
  const loadMarket = useCallback(
    async (sym: string) => {
      const [s, t] = await Promise.all([
        call<Statistics>("GET", `/api/v1/statistics/${sym}`),
        call<{ executions: PublicTrade[] }>("GET", `/api/v1/executions/${sym}?limit=${TAPE}`),
      ]);
      if (current.current.symbol !== sym) return;
      if (s.status === 200) setStats(s.body);
      if (t.status === 200) setTrades(t.body.executions);
      await loadBook(sym);
    },
    [loadBook],
  );
  const loadCandles = useCallback(async (sym: string, iv: Interval) => {
    const a = await call<{ candles: Candle[] }>("GET", `/api/v1/klines/${sym}/${iv}?limit=500`);
    if (a.status === 200 && current.current.symbol === sym && current.current.interval === iv) {
      setCandles(a.body.candles);
    }
  }, []);
  const loadAccount = useCallback(async () => {
    if (!apiKey) return;
    const [b, o, e] = await Promise.all([
      call<{ balances: Balance[] }>("GET", "/v1/account/balances", apiKey),
      call<{ orders: Order[] }>("GET", "/v1/orders?status=open&limit=200", apiKey),
      call<{ executions: OwnExecution[] }>("GET", "/v1/execution?limit=50", apiKey),
    ]);
    if (apiKeyRef.current !== apiKey) return; // signed out or in as another account meanwhile
    if (b.status === 401) {
      setApiKey(null);
      return;
    }
    if (b.status === 200) setBalances(b.body.balances);
    if (o.status === 200) setOpenOrders(o.body.orders);
    if (e.status === 200) setExecutions((known) => mergeExecutions(e.body.executions, known));
  }, [apiKey]);
  // After a change: at once, and again when the trade store has taken in the journal.
  const refreshAccount = useCallback(() => {
    void loadAccount();
    setTimeout(() => void loadAccount(), 750);
  }, [loadAccount]);

  // ---- The socket: one for the page ----
  const onMessage = useCallback(
    (m: WsMessage) => {
      const sym = current.current.symbol;
      switch (m.type) {
        case "MarketStatistics":
          if (m.symbol === sym) setStats(m as unknown as Statistics);
          break;
        case "Execution":
          if (m.symbol === sym) setTrades((t) => [m as unknown as PublicTrade, ...t].slice(0, TAPE));
          break;
        case "OrderBookSnapshot":
          if (m.symbol === sym) {
            const snapshot = bookFromSnapshot(m as unknown as Book);
            current.current.book = snapshot;
            setBook(snapshot);
          }
          break;
        case "OrderBookDelta": {
          if (m.symbol !== sym) break;
          const delta = m as unknown as { version: number; changes: LevelChange[] };
          const { book: next, result } = applyDelta(current.current.book, delta);
          if (result === "gap") {
            socket.current?.resubscribe([`orderbook:${sym}`]);
            void loadBook(sym);
          } else if (result === "applied") {
            current.current.book = next;
            setBook(next);
          }
          break;
        }
        case "CandlestickUpdate":
          if (m.symbol === sym && m.interval === current.current.interval) {
            setCandles((c) => upsertCandle(c, m.candle as Candle));
          }
          break;
        case "OrderUpdate":
          refreshAccount();
          break;
        case "Alert":
          setAlerts((known) => mergeAlerts(known, [m.alert as Alert]));
          break;
      }
    },
    [loadBook, refreshAccount],
  );

  useEffect(() => {
    const s = new MarketSocket(socketUrl(window.location), (m) => onMessageRef.current(m), (state) => {
      setConnection(state);
      if (state === "closed") setDrops((n) => n + 1);
      // Back from a disconnection: whatever was missed is read again.
      if (state === "open" && current.current.symbol) void reloadRef.current();
    });
    socket.current = s;
    s.start();
    return () => s.stop();
  }, []);
  const connectionRef = useRef(connection);
  connectionRef.current = connection;
  const onMessageRef = useRef(onMessage);
  onMessageRef.current = onMessage;
  const reloadRef = useRef(async () => {});
  reloadRef.current = async () => {
    await Promise.all([loadMarket(symbol), loadCandles(symbol, interval), loadAccount()]);
  };

  // ---- Markets, then the selected market's channels ----
  useEffect(() => {
    void call<{ markets: Market[] }>("GET", "/api/v1/markets").then((a) => {
      if (a.status !== 200) return;
      setMarkets(a.body.markets);
      const wanted = new URLSearchParams(window.location.search).get("symbol");
      setSymbol(a.body.markets.find((m) => m.symbol === wanted)?.symbol ?? a.body.markets[0]?.symbol ?? "");
    });
    // A market's status (trading / halted) changes by an operator's hand: looked at again now and then.
    const refresh = window.setInterval(() => {
      void call<{ markets: Market[] }>("GET", "/api/v1/markets").then((a) => {
        if (a.status === 200) setMarkets(a.body.markets);
      });
    }, MARKETS_REFRESH_MS);
    return () => window.clearInterval(refresh);
  }, []);

  useEffect(() => {
    if (!symbol) return;
    setBook(EMPTY_BOOK);
    setTrades([]);
    setStats(null);
    setPrice("");
    const channels = [`executions:${symbol}`, `orderbook:${symbol}`, `ticker:${symbol}`];
    socket.current?.subscribe(channels);
    void loadMarket(symbol);
    // The seed's choice: the book is also read every 2 s, whatever the socket does; while the
    // socket is down, the ticker and the tape are read with it.
    const poll = setInterval(() => {
      if (connectionRef.current === "open") void loadBook(symbol);
      else void loadMarket(symbol);
    }, 2000);
    return () => {
      clearInterval(poll);
      socket.current?.unsubscribe(channels);
    };
  }, [symbol, loadMarket, loadBook]);

  useEffect(() => {
    if (!symbol) return;
    setCandles([]);
    const channel = `candles:${symbol}:${interval}`;
    socket.current?.subscribe([channel]);
    void loadCandles(symbol, interval);
    return () => socket.current?.unsubscribe([channel]);
  }, [symbol, interval, loadCandles]);

  // ---- The signed-in account ----
  useEffect(() => {
    if (apiKey) localStorage.setItem("xtrader.apiKey", apiKey);
    else localStorage.removeItem("xtrader.apiKey");
    socket.current?.authenticate(apiKey);
    setBalances([]);
    setOpenOrders([]);
    setExecutions([]);
    void loadAccount();
  }, [apiKey, loadAccount]);

  // ---- The operator ----
  useEffect(() => {
    if (adminToken) sessionStorage.setItem("xtrader.adminToken", adminToken);
    else sessionStorage.removeItem("xtrader.adminToken");
    setAlerts([]);
    if (!adminToken) {
      socket.current?.authenticateAdmin(null);
      return;
    }
    // Subscribed first, read second: an alert stored in between comes both ways, once shown.
    socket.current?.authenticateAdmin(adminToken);
    void call<{ alerts: Alert[] }>("GET", "/v1/admin/alerts?limit=200", undefined, undefined, adminToken).then(
      (a) => {
        if (a.status === 401) {
          setAlertsError("the admin token was refused");
          setAdminToken(null);
        } else if (a.status === 200) {
          setAlertsError(null);
          setAlerts((known) => mergeAlerts(known, a.body.alerts));
        } else {
          setAlertsError(a.error ?? `the exchange answered ${a.status}`);
        }
      },
    );
  }, [adminToken]);

  if (!market) {
    return <div className="loading">Connecting to the exchange…</div>;
  }
  const change = stats?.price_change_24h ?? null;
  return (
    <div className="app">
      <header className="ticker" data-testid="ticker">
        <span className="brand">xtrader</span>
        <select value={symbol} onChange={(e) => setSymbol(e.target.value)} data-testid="market">
          {markets.map((m) => (
            <option key={m.symbol}>{m.symbol}</option>
          ))}
        </select>
        {market.status === "halted" && (
          <span className="halted" data-testid="market-halted" title="New orders are refused; cancels are accepted">
            HALTED
          </span>
        )}
        <span className={`last ${change !== null && change < 0 ? "down" : "up"}`} data-testid="last-price">
          {formatDecimal(stats?.last_price, market.price_decimals)}
        </span>
        <Figure label="24h change" value={formatPercent(change)} className={change !== null && change < 0 ? "down" : "up"} />
        <Figure label="24h high" value={formatDecimal(stats?.high_price_24h, market.price_decimals)} />
        <Figure label="24h low" value={formatDecimal(stats?.low_price_24h, market.price_decimals)} />
        <Figure label={`24h volume (${market.base})`} value={formatDecimal(stats?.volume_24h, market.quantity_decimals)} />
        <button
          className={view === "surveillance" ? "active" : ""}
          onClick={() => setView(view === "trade" ? "surveillance" : "trade")}
          data-testid="view-surveillance"
        >
          Surveillance{alerts.length ? ` (${alerts.length})` : ""}
        </button>
        <span className={`connection ${connection}`} data-testid="connection" data-drops={drops} title="WebSocket">
          ● {connection === "open" ? "live" : connection === "connecting" ? "connecting" : "reconnecting"}
        </span>
      </header>
      {view === "surveillance" && (
        <SurveillancePanel adminToken={adminToken} onSignIn={setAdminToken} alerts={alerts} error={alertsError} />
      )}
      <main className="grid" hidden={view === "surveillance"}>
        <PriceChart candles={candles} interval={interval} onInterval={setInterval_} priceDecimals={market.price_decimals} />
        <OrderBook book={book} market={market} onPrice={(p) => setPrice(toRequestText(p, market.price_decimals))} />
        <TradeTape trades={trades} market={market} />
        <OrderEntry
          market={market}
          apiKey={apiKey}
          balances={balances}
          price={price}
          onPrice={setPrice}
          lastPrice={stats?.last_price ?? null}
          onAnswer={(order) => {
            if (order) setExecutions((known) => mergeExecutions(executionsOfAnswer(order), known));
            refreshAccount();
          }}
        />
        <AccountPanel
          apiKey={apiKey}
          onSignIn={setApiKey}
          markets={markets}
          balances={balances}
          openOrders={openOrders}
          executions={executions}
          onChange={refreshAccount}
        />
      </main>
    </div>
  );
}

function Figure({ label, value, className }: { label: string; value: string; className?: string }) {
  return (
    <span className="figure">
      <span className="muted small">{label}</span>
      <span className={className}>{value}</span>
    </span>
  );
}
