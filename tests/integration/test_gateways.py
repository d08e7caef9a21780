"""WebSocket gateways (--role ws-gateway) fed from the real RabbitMQ of scripts/services.sh:
every channel of the WebSocket protocol through the exchange market-notifications, snapshots from
the Redis market-data cache, resynchronisation after lost messages, retries and dead letters.
Each test has an exchange, a Kafka topic, a cache prefix and gateway names of its own."""
import csv
import json
import os
import re
import resource
import signal
import socket
import subprocess
import threading
import time
import uuid
from decimal import Decimal

import pika
import pytest

from conftest import ALICE, BIN, BOB, CONFIG, Daemon
from services import REDIS, ROOT, redis, services, wait_until  # noqa: F401
from test_kafka import KAFKA
from wsclient import Closed, WsClient

AMQP = "amqp://guest:guest@127.0.0.1:17672/"
SERVICES = os.path.join(ROOT, "scripts", "services.sh")


class Setup:
    """The brokers' names of one test: a RabbitMQ exchange, a Kafka topic and group, a cache."""

    def __init__(self):
        tag = uuid.uuid4().hex[:10]
        self.tag = tag
        self.exchange = "market-notifications-" + tag
        self.cache = "xtrader:test:" + tag

    def flags(self):
        tag = self.tag
        return ["--rabbitmq", AMQP, "--rabbitmq-exchange", self.exchange,
                "--redis", REDIS, "--market-data-cache", self.cache,
                "--kafka", KAFKA, "--kafka-topic", "market-data-" + tag, "--kafka-partitions", "1",
                "--kafka-mdp-group", "mdp-" + tag, "--kafka-order-topic", "order-events-" + tag,
                "--kafka-order-history-group", "order-history-" + tag, "--probe-interval", "300",
                "--persister-consumers", "0"]

    def cleanup(self, gateways):
        try:
            with pika.BlockingConnection(pika.URLParameters(AMQP)) as connection:
                channel = connection.channel()
                for name in gateways:
                    channel.queue_delete("ws-gateway." + name)
                    channel.queue_delete("ws-gateway." + name + ".retry")
                channel.queue_delete(self.exchange + ".dlq")
                channel.exchange_delete(self.exchange)
        except pika.exceptions.AMQPError:
            pass
        keys = redis("--scan", "--pattern", self.cache + ":*").split()
        if keys:
            redis("DEL", *keys)


class Gateway:
    def __init__(self, setup, data_dir, name):
        self.name = name
        self.proc = subprocess.Popen(
            [BIN, "--config", CONFIG, "--role", "ws-gateway", "--gateway-name", name,
             "--data-dir", data_dir, "--ws-port", "0", "--host", "127.0.0.1", "--log-level", "warn",
             "--auth-failures", "0", *setup.flags()],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.output = []
        self.port = None
        deadline = time.time() + 30
        while time.time() < deadline and self.port is None:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.output.append(line)
            m = re.search(r"ws-gateway \S+: WebSocket on ws://localhost:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
        assert self.port, "the gateway did not start:\n" + "".join(self.output)
        wait_until(lambda: self.status("/health")[0] == 200, 30, "the gateway consuming")

    def status(self, path):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            res = conn.getresponse()
            return res.status, res.read()
        except OSError:
            return None, b""
        finally:
            conn.close()

    def figures(self):
        status, body = self.status("/api/v1/system/pipelines")
        assert status == 200, body
        return json.loads(body)["pipelines"][0]

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(30)
        return self.proc.returncode


class Deployment:
    """Full mode with gateways, of the test's own: an exchange serving no WebSocket, then the
    gateways, the load balancer and the clients the test asks for; all stopped and their broker
    objects deleted at the end."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.setup = Setup()
        self.gateways, self.clients = [], []
        self.balancer = None
        self.daemon = Daemon(data_dir, *self.setup.flags(), "--ws-gateways", "true").start()

    def gateway(self):
        g = Gateway(self.setup, self.data_dir, "gw-" + uuid.uuid4().hex[:6])
        self.gateways.append(g)
        return g

    def balance(self, gateways):
        self.balancer = Balancer(self.data_dir, [g.port for g in gateways])
        return self.balancer

    def follower(self, port, key=None):
        self.clients.append(Follower(port, key))
        return self.clients[-1]

    def view(self, port, key=None):
        self.clients.append(View(port, key))
        return self.clients[-1]

    def close(self):
        for c in self.clients:
            c.ws.sock.close()
        if self.balancer:
            self.balancer.stop()
        self.daemon.stop()
        for g in self.gateways:
            g.stop()
        self.setup.cleanup([g.name for g in self.gateways])


@pytest.fixture
def full(data_dir):
    deployment = Deployment(data_dir)
    yield deployment
    deployment.close()


class Follower:
    """A client's view of one market through the WebSocket, read on a thread of its own:
    executions in order, the book from snapshots and deltas (a snapshot replaces it), its
    account's order updates. Every second follower takes batched delivery: the gateways serve
    both modes."""

    made = 0

    def __init__(self, port, key=None):
        Follower.made += 1
        self.ws = WsClient(port, timeout=30, batch=Follower.made % 2 == 0)
        self.executions, self.orders = [], []
        self.book, self.version, self.snapshots = None, None, 0
        self.error = None
        self.lock = threading.Lock()
        if key:
            self.ws.send({"op": "auth", "api_key": key})
            assert self.ws.recv() == {"type": "Authenticated"}
        channels = ["executions:BTC-KRW", "orderbook:BTC-KRW"] + (["orders"] if key else [])
        self.ws.send({"op": "subscribe", "channels": channels})
        while self.book is None:
            self.take(self.ws.recv())
        self.ws.sock.settimeout(None)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        try:
            while True:
                message = self.ws.recv()
                with self.lock:
                    self.take(message)
        except Exception as e:  # noqa: BLE001 - reported by the test's wait
            self.error = e

    def take(self, m):
        kind = m["type"]
        if kind == "Execution":
            self.executions.append(m)
        elif kind == "OrderUpdate":
            self.orders.append(m)
        elif kind == "OrderBookSnapshot":
            self.book = {("Buy", l["price"]): l for l in m["bids"]}
            self.book.update({("Sell", l["price"]): l for l in m["asks"]})
            self.version = m["version"]
            self.snapshots += 1
        elif kind == "OrderBookDelta" and self.book is not None:
            if m["version"] <= self.version:
                return  # in the snapshot already
            assert m["version"] == self.version + 1, f"a gap: {self.version} -> {m['version']}"
            self.version = m["version"]
            for c in m["changes"]:
                key = (c["side"], c["price"])
                if c["volume"] == 0:
                    self.book.pop(key, None)
                else:
                    self.book[key] = {"price": c["price"], "volume": c["volume"],
                                      "order_count": c["order_count"]}

    def wait(self, done, timeout=60, what="the client's messages"):
        """Until done(self) holds (checked under the reader's lock)."""
        deadline = time.time() + timeout
        while True:
            with self.lock:
                if done(self):
                    return
            assert self.error is None, f"the client's connection: {self.error!r}"
            assert time.time() < deadline, "timed out waiting for " + what
            time.sleep(0.02)

    def follow_until(self, version, executions, timeout=60):
        self.wait(lambda f: f.version >= version and len(f.executions) >= executions, timeout)

    def levels(self):
        with self.lock:
            bids = sorted((l for (side, _), l in self.book.items() if side == "Buy"),
                          key=lambda l: -l["price"])
            asks = sorted((l for (side, _), l in self.book.items() if side == "Sell"),
                          key=lambda l: l["price"])
        return bids, asks


def trade(daemon, count, start=0):
    """count crossing pairs (one trade each), with resting bids and a cancel every few."""
    alice, bob = daemon.client(ALICE), daemon.client(BOB)
    for i in range(start, start + count):
        price = str(50_000_000 + 1000 * (i % 7))
        assert alice.order(side="Sell", price=price, quantity="0.001")[0] == 200
        assert bob.order(side="Buy", price=price, quantity="0.001")[0] == 200
        if i % 5 == 0:
            _, rest, _ = bob.order(side="Buy", price=str(49_000_000 - 1000 * i), quantity="0.002")
            if i % 10 == 0:
                bob.request("DELETE", "/v1/order/" + rest["order_id"])


def rest_state(daemon, executions):
    """The REST book and tape once its market data (the mdp-group's) has every execution."""
    def tape():
        got = daemon.client().get("/api/v1/executions/BTC-KRW?limit=1000")[1]["executions"]
        return [t["exec_id"] for t in reversed(got)]
    # Exec ids count from 1 in a fresh exchange; the tape holds the last 1,000.
    wait_until(lambda: tape()[-1:] == [str(executions)], 30, "the REST market data")
    book = daemon.client().get("/api/v1/orderbook/BTC-KRW?depth=500")[1]
    return book, tape()


def test_gateways_serve_every_channel_from_rabbitmq(full):
    """Two gateways, clients on each: executions once and in order, the book from snapshot +
    deltas equal to REST's, the orders channel only to its account; the exchange itself serves
    no WebSocket."""
    daemon = full.daemon
    assert daemon.ws_port is None
    trade(daemon, 20)  # before the gateways: their snapshots come from the cache
    wait_until(lambda: redis("HGET", full.setup.cache + ":BTC-KRW:state", "last_exec_id") == "20",
               30, "the cache")
    gateways = [full.gateway() for _ in range(2)]
    alice = full.follower(gateways[0].port, ALICE)
    bob = full.follower(gateways[1].port, BOB)
    anonymous = full.follower(gateways[1].port)
    statistics = WsClient(gateways[0].port, timeout=30)
    statistics.send({"op": "subscribe", "channels": ["ticker:BTC-KRW", "candles:BTC-KRW:1m"]})
    assert statistics.recv()["type"] == "Subscribed"
    trade(daemon, 60, start=20)
    book, tape = rest_state(daemon, 80)
    # Tickers and candles: made by the mdp-group, relayed by the gateway as they are.
    rest = daemon.client().get("/api/v1/statistics/BTC-KRW")[1]
    assert rest["volume_24h"] == Decimal("0.080")
    latest = {}
    while latest.get("MarketStatistics", {}).get("volume_24h") != rest["volume_24h"] or \
            latest.get("CandlestickUpdate", {}).get("candle", {}).get("trade_count", 0) < 60:
        m = statistics.recv()
        latest[m["type"]] = m
    assert latest["MarketStatistics"]["channel"] == "ticker:BTC-KRW"
    ticker = latest["MarketStatistics"]
    shared = set(ticker) & set(rest) - {"timestamp", "sequence"}
    assert {"volume_24h", "last_price"} <= shared, (ticker, rest)
    assert {k: ticker[k] for k in shared} == {k: rest[k] for k in shared}
    assert latest["CandlestickUpdate"]["channel"] == "candles:BTC-KRW:1m"
    for f in (alice, bob, anonymous):
        f.follow_until(book["version"], 60)
        assert [m["exec_id"] for m in f.executions] == tape[-60:]
        assert f.levels() == (book["bids"], book["asks"])
    # Private updates: alice's 60 sells rest, then fill; bob's buys take them.
    alice.wait(lambda f: sum(o["status"] == "Filled" for o in f.orders) == 60)
    assert {o["side"] for o in alice.orders} == {"Sell"}
    bob.wait(lambda f: sum(o["status"] == "Filled" for o in f.orders) == 60)
    assert {o["side"] for o in bob.orders} == {"Buy"}
    assert not anonymous.orders
    for g in gateways:
        figures = g.figures()
        assert figures["state"] == "healthy" and figures["dead_lettered"] == 0, figures
    assert gateways[1].figures()["connections"] == 2
    assert gateways[0].status("/metrics")[1].count(b"xtrader_gateway_connections") == 2


def dead_letters(queue):
    """(headers, body) of every message in a dead-letter queue, left in it."""
    with pika.BlockingConnection(pika.URLParameters(AMQP)) as connection:
        channel = connection.channel()
        out = []
        while True:
            method, properties, body = channel.basic_get(queue, auto_ack=False)
            if method is None:
                break
            out.append((properties.headers or {}, body))
        channel.close()  # the unacknowledged messages go back to the queue
        return out


def test_a_message_no_gateway_can_read_is_retried_three_times_then_dead_lettered(full):
    daemon = full.daemon
    gateways = [full.gateway()]
    gateway = gateways[0]
    with pika.BlockingConnection(pika.URLParameters(AMQP)) as connection:
        channel = connection.channel()
        channel.basic_publish(full.setup.exchange, "execution.BTC-KRW", b"{not json")
        channel.basic_publish(full.setup.exchange, "orderbook.ETH-KRW",
                              b'{"type":"BookDelta","symbol":"BTC-KRW"}')
    dlq = full.setup.exchange + ".dlq"
    wait_until(lambda: gateway.figures()["dead_lettered"] == 2, 30, "two dead letters")
    figures = gateway.figures()
    assert figures["retries"] == 6 and figures["state"] == "healthy", figures
    letters = dead_letters(dlq)
    assert sorted(b for _, b in letters) == sorted(
        [b"{not json", b'{"type":"BookDelta","symbol":"BTC-KRW"}'])
    for headers, _ in letters:
        assert headers["x-gateway"] == gateway.name and headers["x-attempts"] == "4"
        assert headers["x-reason"] and headers["x-routing-key"] in (
            "execution.BTC-KRW", "orderbook.ETH-KRW")
    # The gateway goes on serving.
    follower = full.follower(gateway.port)
    trade(daemon, 5)
    book, tape = rest_state(daemon, 5)
    follower.follow_until(book["version"], 5)
    assert [m["exec_id"] for m in follower.executions] == tape


class Trading:
    """Crossing pairs (alice sells, bob buys) in the background, about 100 a second, until
    stopped; every answer's status is kept."""

    def __init__(self, daemon):
        self.stop = threading.Event()
        self.statuses, self.fills = [], 0
        self.thread = threading.Thread(target=self._run, args=(daemon,), daemon=True)
        self.thread.start()

    def _run(self, daemon):
        alice, bob = daemon.client(ALICE), daemon.client(BOB)
        i = 0
        while not self.stop.is_set():
            price = str(50_000_000 + 1000 * (i % 7))
            self.statuses.append(alice.order(side="Sell", price=price, quantity="0.001")[0])
            self.statuses.append(bob.order(side="Buy", price=price, quantity="0.001")[0])
            self.fills += 1
            i += 1
            time.sleep(0.01)

    def finish(self):
        self.stop.set()
        self.thread.join()
        return self.fills


@pytest.mark.fault
def test_rabbitmq_down_20s_under_load_then_every_client_catches_up(full):
    """RabbitMQ stopped for 20 s while orders flow: every order answered 200; the gateways
    reconnect, redeclare and resynchronise; afterwards each client's book equals REST's, its
    executions are in order without duplicates, and no order update of its account is missing
    (they are persistent in the gateways' durable queues)."""
    daemon = full.daemon
    gateways = [full.gateway() for _ in range(2)]
    followers = [full.follower(gateways[0].port, ALICE), full.follower(gateways[1].port, ALICE),
                 full.follower(gateways[1].port)]
    trading = Trading(daemon)
    time.sleep(2)
    services("down", "rabbitmq")
    try:
        wait_until(lambda: all(g.status("/health")[0] == 503 for g in gateways), 30,
                   "the gateways unhealthy for the load balancer")
        time.sleep(20)
    finally:
        services("up", "rabbitmq")
    wait_until(lambda: all(g.status("/health")[0] == 200 for g in gateways), 60,
               "the gateways consuming again")
    time.sleep(2)
    fills = trading.finish()
    assert set(trading.statuses) == {200}
    book, tape = rest_state(daemon, fills)
    for f in followers:
        f.follow_until(book["version"], 0)
        f.wait(lambda f: f.version == book["version"])
        assert f.levels() == (book["bids"], book["asks"])
        ids = [int(m["exec_id"]) for m in f.executions]
        assert ids == sorted(set(ids)), "in order, none twice"
    # Every alice order's last update says Filled: none is missing.
    for f in followers[:2]:
        f.wait(lambda f: len({o["order_id"] for o in f.orders if o["status"] == "Filled"})
               == fills, what="every fill of alice's orders")
    assert not followers[2].orders
    assert all(g.figures()["reconnects"] >= 1 for g in gateways)


class Balancer:
    """A real HAProxy in front of gateways, configured as scripts/services.sh does it, on a free
    port of the test's own."""

    def __init__(self, directory, ports):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.stats = os.path.join(directory, "haproxy.sock")
        config = subprocess.run(
            [SERVICES, "haproxy-config", str(self.port), self.stats,
             *[f"127.0.0.1:{p}" for p in ports]], capture_output=True, text=True, check=True).stdout
        path = os.path.join(directory, "haproxy.cfg")
        with open(path, "w") as f:
            f.write(config)
        self.proc = subprocess.Popen(["haproxy", "-db", "-f", path], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.STDOUT)
        wait_until(lambda: self.backends() == ["UP"] * len(ports), 30, "every gateway UP")

    def backends(self):
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(self.stats)
                s.sendall(b"show stat\n")
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
        except OSError:
            return []
        rows = csv.DictReader(data.decode().lstrip("# ").splitlines())
        return [r["status"] for r in rows
                if r["pxname"] == "ws-gateways" and r["svname"] not in ("BACKEND", "FRONTEND")]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)


class View:
    """One client's books and executions of every market, read when asked (no thread: a
    thousand of them)."""

    MARKETS = ("BTC-KRW", "ETH-KRW")

    def __init__(self, port, key=None):
        self.ws = WsClient(port, timeout=60)
        self.books, self.versions = {}, {}
        self.executions = {m: [] for m in self.MARKETS}
        self.orders = []
        self.subscribed = False
        channels = [f"{kind}:{m}" for m in self.MARKETS for kind in ("executions", "orderbook")]
        if key:
            self.ws.send({"op": "auth", "api_key": key})
            channels.append("orders")
        self.ws.send({"op": "subscribe", "channels": channels})

    def take(self, m):
        kind = m["type"]
        if kind == "Subscribed":
            self.subscribed = True
        elif kind == "Execution":
            self.executions[m["symbol"]].append(int(m["exec_id"]))
        elif kind == "OrderUpdate":
            self.orders.append(m)
        elif kind == "OrderBookSnapshot":
            self.books[m["symbol"]] = {("Buy", l["price"]): (l["volume"], l["order_count"])
                                       for l in m["bids"]}
            self.books[m["symbol"]].update({("Sell", l["price"]): (l["volume"], l["order_count"])
                                            for l in m["asks"]})
            self.versions[m["symbol"]] = m["version"]
        elif kind == "OrderBookDelta":
            symbol, version = m["symbol"], self.versions[m["symbol"]]
            if m["version"] <= version:
                return
            assert m["version"] == version + 1, f"a gap in {symbol}: {version} -> {m['version']}"
            self.versions[symbol] = m["version"]
            book = self.books[symbol]
            for c in m["changes"]:
                if c["volume"] == 0:
                    book.pop((c["side"], c["price"]), None)
                else:
                    book[(c["side"], c["price"])] = (c["volume"], c["order_count"])

    def read_until(self, done):
        while not done(self):
            self.take(self.ws.recv())


def market_state(daemon, symbol):
    book = daemon.client().get(f"/api/v1/orderbook/{symbol}?depth=500")[1]
    tape = daemon.client().get(f"/api/v1/executions/{symbol}?limit=1000")[1]["executions"]
    levels = {("Buy", l["price"]): (l["volume"], l["order_count"]) for l in book["bids"]}
    levels.update({("Sell", l["price"]): (l["volume"], l["order_count"]) for l in book["asks"]})
    return book["version"], levels, [int(t["exec_id"]) for t in reversed(tape)]


def test_three_gateways_behind_haproxy_serve_a_thousand_clients_each(full):
    """The seed's three WebSocket servers of 1,000 clients each, through HAProxy: every client
    gets every execution of both markets once and in order, its books from snapshot + deltas
    equal REST's, and the orders channel only its own account's updates."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 8192 <= hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (8192, hard))
    daemon = full.daemon
    gateways = [full.gateway() for _ in range(3)]
    balancer = full.balance(gateways)
    keys = {0: ALICE, 1: BOB}
    views = [full.view(balancer.port, keys.get(i % 100)) for i in range(3000)]
    for v in views:  # both snapshots in (they come before the acknowledgement)
        v.read_until(lambda v: v.subscribed)
    assert sorted(g.figures()["connections"] for g in gateways) == [1000, 1000, 1000]
    before = {m: market_state(daemon, m) for m in View.MARKETS}
    cancelled, stays, bid = ("Buy", 40000000), ("Buy", 39000000), "0.002"
    for symbol in View.MARKETS:
        alice, bob = daemon.client(ALICE), daemon.client(BOB)
        for i in range(12):
            price = str(50_000_000 + 1000 * (i % 5))
            assert alice.order(symbol=symbol, side="Sell", price=price, quantity="0.001")[0] == 200
            assert bob.order(symbol=symbol, side="Buy", price=price, quantity="0.001")[0] == 200
        # A bid that stays and one that goes: the book changes without a trade.
        _, rest, _ = bob.order(symbol=symbol, side="Buy", price=str(cancelled[1]), quantity=bid)
        bob.order(symbol=symbol, side="Buy", price=str(stays[1]), quantity=bid)
        bob.request("DELETE", "/v1/order/" + rest["order_id"])
    state = {}
    for m in View.MARKETS:
        # Settled: every execution, the bid that stays and the cancel after it in REST's view
        # too, else the clients, which may be further on, are compared with an older book. (The
        # cancelled level alone is as before also when neither bid has arrived yet.)
        def settled():
            state[m] = market_state(daemon, m)
            volume, orders = before[m][1].get(stays, (0, 0))
            return (len(state[m][2]) == len(before[m][2]) + 12 and
                    state[m][1].get(stays) == (volume + Decimal(bid), orders + 1) and
                    state[m][1].get(cancelled) == before[m][1].get(cancelled))
        wait_until(settled, 30, "the REST market data")
    for v in views:
        v.read_until(lambda v: all(v.versions[m] >= state[m][0] and
                                   len(v.executions[m]) >= 12 for m in View.MARKETS))
        for m in View.MARKETS:
            assert v.executions[m] == state[m][2][-12:], "every execution once, in order"
            assert v.books[m] == state[m][1]
    for i, v in enumerate(views):
        expected = {0: "Sell", 1: "Buy"}.get(i % 100)
        if expected is None:
            assert not v.orders
        else:
            v.read_until(lambda v: sum(o["status"] == "Filled" for o in v.orders) >= 24)
            assert {o["side"] for o in v.orders} == {expected}


@pytest.mark.fault
def test_a_gateway_killed_its_clients_reconnect_through_haproxy_to_the_others(full):
    daemon = full.daemon
    gateways = [full.gateway() for _ in range(3)]
    balancer = full.balance(gateways)
    views = [full.view(balancer.port) for _ in range(30)]
    for v in views:
        v.read_until(lambda v: v.subscribed)
    victim = gateways[0]
    assert victim.figures()["connections"] == 10
    victim.stop(signal.SIGKILL)
    wait_until(lambda: sorted(balancer.backends()) == ["DOWN", "UP", "UP"], 30,
               "HAProxy seeing it down")
    # Its clients find their connection gone and connect again, as the HTS does.
    reconnected = 0
    for i, v in enumerate(views):
        try:
            v.ws.send({"op": "ping"})
            v.ws.recv()  # the Pong: nothing else comes while nobody trades
        except (ConnectionError, OSError, Closed):
            views[i] = full.view(balancer.port)
            views[i].read_until(lambda v: v.subscribed)
            reconnected += 1
    assert reconnected == 10
    assert sorted(g.figures()["connections"] for g in gateways[1:]) == [15, 15]
    trade(daemon, 10)
    wait_until(lambda: len(market_state(daemon, "BTC-KRW")[2]) == 10, 30, "REST")
    version, levels, tape = market_state(daemon, "BTC-KRW")
    for v in views:
        v.read_until(lambda v: v.versions["BTC-KRW"] >= version and
                     len(v.executions["BTC-KRW"]) >= 10)
        assert v.executions["BTC-KRW"] == tape and v.books["BTC-KRW"] == levels