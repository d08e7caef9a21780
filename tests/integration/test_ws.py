"""The WebSocket server on a real daemon: channels, the book from snapshot + deltas, every
execution once and in order, private order updates, slow clients, a thousand clients — each in
both delivery modes (one message per frame, and batch: a JSON array of messages per frame)."""
import resource
import socket
import time
from decimal import Decimal as D

import pytest

from conftest import ALICE, BOB, CAROL, Daemon
from wsclient import Closed, WsClient

# A thousand clients need more descriptors than some shells give.
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft < 4096 and hard >= 4096:
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, hard))


modes = pytest.mark.parametrize("batch", [False, True], ids=["frames", "batch"])


def subscribed(ws, *channels):
    ws.send({"op": "subscribe", "channels": list(channels)})
    ack = ws.recv_until(lambda m: m["type"] in ("Subscribed", "Error"))
    assert ack == {"type": "Subscribed", "channels": list(channels)}, ack


def trade_burst(daemon, count, symbol="BTC-KRW"):
    """count crossing pairs (one trade each) plus some resting orders and cancels."""
    alice, bob = daemon.client(ALICE), daemon.client(BOB)
    for i in range(count):
        price = str(50_000_000 + 1000 * (i % 7))
        alice.order(symbol=symbol, side="Sell", price=price, quantity="0.001")
        bob.order(symbol=symbol, side="Buy", price=price, quantity="0.001")
        if i % 5 == 0:
            _, rest, _ = bob.order(symbol=symbol, side="Buy", price=str(49_000_000 - 1000 * i), quantity="0.002")
            if i % 10 == 0:
                bob.request("DELETE", "/v1/order/" + rest["order_id"])


@modes
def test_ping_subscribe_auth_and_errors(batch, daemon):
    ws = WsClient(daemon.ws_port, batch=batch)
    ws.send({"op": "ping"})
    assert ws.recv() == {"type": "Pong"}
    subscribed(ws, "executions:BTC-KRW", "ticker:ETH-KRW", "candles:BTC-KRW:1m")
    ws.send({"op": "subscribe", "channels": ["executions:DOGE-KRW"]})
    assert ws.recv()["code"] == "unknown_channel"
    ws.send({"op": "subscribe", "channels": ["candles:BTC-KRW:2h"]})
    assert ws.recv()["code"] == "unknown_channel"
    ws.send({"op": "subscribe", "channels": ["orders"]})
    assert ws.recv()["code"] == "unauthorized"
    ws.send({"op": "auth", "api_key": "nope"})
    assert ws.recv()["code"] == "unauthorized"
    ws.send({"op": "dance"})
    assert ws.recv()["code"] == "unknown_op"
    ws.sock.sendall(b"")  # still open
    ws.send({"op": "auth", "api_key": ALICE})
    assert ws.recv() == {"type": "Authenticated"}
    ws.send({"op": "subscribe", "channels": ["orders"]})
    assert ws.recv()["type"] == "Subscribed"
    ws.close()


def test_the_book_from_snapshot_and_deltas_equals_the_rest_book(daemon):
    ws = WsClient(daemon.ws_port)
    ws.send({"op": "subscribe", "channels": ["orderbook:BTC-KRW"]})
    snapshot = ws.recv_until(lambda m: m["type"] == "OrderBookSnapshot")
    book = {("Buy", l["price"]): l for l in snapshot["bids"]}
    book.update({("Sell", l["price"]): l for l in snapshot["asks"]})
    version = snapshot["version"]
    trade_burst(daemon, 60)
    rest = daemon.client().get("/api/v1/orderbook/BTC-KRW?depth=500")[1]
    while version < rest["version"]:
        m = ws.recv_until(lambda m: m["type"] == "OrderBookDelta")
        if m["version"] <= version:
            continue  # already in the snapshot
        assert m["version"] == version + 1, "a gap in the deltas"
        version = m["version"]
        for c in m["changes"]:
            key = (c["side"], c["price"])
            if c["volume"] == 0:
                book.pop(key, None)
            else:
                book[key] = {"price": c["price"], "volume": c["volume"], "order_count": c["order_count"]}
    assert version == rest["version"]
    bids = sorted((l for (side, _), l in book.items() if side == "Buy"), key=lambda l: -l["price"])
    asks = sorted((l for (side, _), l in book.items() if side == "Sell"), key=lambda l: l["price"])
    assert (bids, asks) == (rest["bids"], rest["asks"])
    ws.close()


@modes
def test_every_execution_reaches_a_subscriber_once_and_in_order(batch, daemon):
    ws = WsClient(daemon.ws_port, batch=batch)
    subscribed(ws, "executions:BTC-KRW", "ticker:BTC-KRW", "candles:BTC-KRW:1m")
    trade_burst(daemon, 40)
    deadline = time.time() + 10
    while time.time() < deadline:  # market data follows the journal by a moment
        tape = daemon.client().get("/api/v1/executions/BTC-KRW?limit=1000")[1]["executions"]
        if len(tape) >= 40:
            break
        time.sleep(0.01)
    assert len(tape) == 40
    got, tickers, candles, pongs = [], [], [], []
    ws.send({"op": "ping"})  # answered after everything already queued for this client
    while not (pongs and len(got) == 40):
        m = ws.recv()
        {"Execution": got, "MarketStatistics": tickers, "CandlestickUpdate": candles,
         "Pong": pongs}[m["type"]].append(m)
        if pongs and len(got) < 40:
            ws.send({"op": "ping"})
            pongs.clear()
    assert [m["exec_id"] for m in got] == [t["exec_id"] for t in reversed(tape)]
    assert [m["sequence"] for m in got] == sorted(m["sequence"] for m in got)
    assert all(m["symbol"] == "BTC-KRW" and m["side"] == "Buy" for m in got)
    assert tickers and tickers[-1]["volume_24h"] == D("0.04")
    assert candles and candles[-1]["interval"] == "1m" and candles[-1]["candle"]["trade_count"] >= 1
    ws.close()


@modes
def test_orders_channel_carries_only_the_accounts_own_orders(batch, daemon):
    ws = WsClient(daemon.ws_port, batch=batch)
    ws.send({"op": "auth", "api_key": ALICE})
    ws.recv()
    subscribed(ws, "orders")
    alice, bob = daemon.client(ALICE), daemon.client(BOB)
    _, mine, _ = alice.order(side="Sell", price="60000000", quantity="0.01")
    bob.order(side="Buy", price="10000000", quantity="0.01")  # not alice's
    _, fill, _ = bob.order(side="Buy", price="60000000", quantity="0.01")
    first = ws.recv()
    assert first["type"] == "OrderUpdate" and first["order_id"] == mine["order_id"]
    assert first["status"] == "Pending"
    second = ws.recv()
    assert second["order_id"] == mine["order_id"] and second["status"] == "Filled"
    ws.send({"op": "ping"})
    assert ws.recv() == {"type": "Pong"}  # nothing of bob's came in between
    ws.close()


@modes
def test_a_client_that_stops_reading_is_closed_with_1008_and_others_keep_receiving(batch, data_dir):
    d = Daemon(data_dir, "--ws-send-queue", "20", "--ws-send-buffer", "4096").start()
    try:
        slow = WsClient(d.ws_port, recv_buffer=4096, batch=batch)
        subscribed(slow, "executions:BTC-KRW", "orderbook:BTC-KRW")
        normal = WsClient(d.ws_port)
        subscribed(normal, "executions:BTC-KRW")
        trade_burst(d, 150)
        received = 0
        while received < 150:
            if normal.recv()["type"] == "Execution":
                received += 1
        with pytest.raises(Closed) as closed:
            for _ in range(100000):
                slow.recv()
        assert closed.value.code == 1008 and "too slow" in closed.value.reason
        normal.send({"op": "ping"})
        assert normal.recv_until(lambda m: m["type"] == "Pong")
    finally:
        d.stop()


@modes
def test_a_thousand_clients_all_receive_every_execution(batch, daemon):
    clients = [WsClient(daemon.ws_port, path="/ws/executions", timeout=30, batch=batch) for _ in range(1000)]
    # /ws/executions subscribes on connect; make sure every subscription is in place.
    for ws in clients:
        ws.send({"op": "ping"})
    for ws in clients:
        assert ws.recv() == {"type": "Pong"}
    trade_burst(daemon, 10)
    for ws in clients:
        ids = [ws.recv()["exec_id"] for _ in range(10)]
        assert len(set(ids)) == 10
    for ws in clients:
        ws.close()


def test_a_silent_connection_is_pinged_then_closed(data_dir):
    d = Daemon(data_dir, "--ws-idle-timeout", "2").start()
    try:
        answering = WsClient(d.ws_port)   # reads, so it answers the server's pings
        silent = WsClient(d.ws_port)      # never reads: no pong goes back
        started = time.time()
        deadline = started + 6
        while time.time() < deadline:     # the answering client keeps reading (and ponging)
            answering.sock.settimeout(0.5)
            try:
                answering.recv()
            except (socket.timeout, TimeoutError):
                pass
        silent.sock.settimeout(5)
        data = b""
        try:
            while True:
                chunk = silent.sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
        assert data[:1] == b"\x89", "the server pings first"          # a ping frame
        # ...and, with no pong, the connection was closed: recv returned end of stream above.
        answering.sock.settimeout(5)
        answering.send({"op": "ping"})
        assert answering.recv_until(lambda m: m["type"] == "Pong")
    finally:
        d.stop()


def test_subscribing_twice_delivers_once(daemon):
    ws = WsClient(daemon.ws_port)
    subscribed(ws, "executions:ETH-KRW")
    subscribed(ws, "executions:ETH-KRW")
    trade_burst(daemon, 2, symbol="ETH-KRW")
    deadline = time.time() + 10
    while len(daemon.client().get("/api/v1/executions/ETH-KRW")[1]["executions"]) < 2:
        assert time.time() < deadline
        time.sleep(0.01)
    ids = []
    ws.sock.settimeout(0.5)
    try:
        while True:  # everything that comes until the line goes quiet
            m = ws.recv()
            if m["type"] == "Execution":
                ids.append(m["exec_id"])
    except (socket.timeout, TimeoutError):
        pass
    assert len(ids) == 2 and len(set(ids)) == 2, ids
    ws.close()


def test_a_batch_frame_carries_every_message_ready_in_order(data_dir):
    """A client that reads slowly gets its backlog in few frames, each an array, nothing lost or
    reordered; a frames-mode client beside it gets the same messages one per frame."""
    d = Daemon(data_dir, "--ws-send-buffer", "4096").start()
    try:
        batched = WsClient(d.ws_port, recv_buffer=4096, batch=True)
        subscribed(batched, "executions:BTC-KRW")
        single = WsClient(d.ws_port)
        subscribed(single, "executions:BTC-KRW")
        trade_burst(d, 150)
        ids = [single.recv_until(lambda m: m["type"] == "Execution")["exec_id"] for _ in range(150)]
        got = [batched.recv_until(lambda m: m["type"] == "Execution")["exec_id"] for _ in range(150)]
        assert got == ids and len(set(ids)) == 150
        assert max(batched.frames) > 1, batched.frames  # the backlog came gathered
    finally:
        d.stop()


def test_the_options_op_switches_the_delivery_mode(daemon):
    ws = WsClient(daemon.ws_port)
    ws.send({"op": "options", "batch": "yes"})
    assert ws.recv()["code"] == "bad_request"
    ws.send({"op": "options", "batch": True})
    assert ws.recv_frame() == [{"type": "Options", "batch": True}]
    ws.send({"op": "ping"})
    assert ws.recv_frame() == [{"type": "Pong"}]
    ws.send({"op": "options", "batch": False})
    assert ws.recv_frame() == {"type": "Options", "batch": False}
    ws.close()
    # ?batch=0 is the default mode; the query does not change the path's meaning.
    plain = WsClient(daemon.ws_port, path="/ws?batch=0")
    plain.send({"op": "ping"})
    assert plain.recv_frame() == {"type": "Pong"}
    plain.close()
