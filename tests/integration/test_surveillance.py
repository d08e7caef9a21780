"""Market surveillance against real daemons: xtrader-sim's scenarios raise their alerts (kind,
accounts, evidence) in embedded mode (the journal, SQLite) and in full mode (the Kafka groups
regulatory and analytics, PostgreSQL, the topic surveillance-alerts); a normal market raises
none; a surveillance member SIGKILLed in the middle of a wash ring loses and doubles nothing."""
import http.server
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
import uuid
from decimal import Decimal

import pytest

from conftest import ADMIN, ALICE, BIN, BOB, CONFIG, Daemon
from services import PG_PORT, ROOT, psql, wait_until
from test_kafka import KAFKA, SERVICES, Topic
from test_persistence import pipeline_state

SIM = os.environ.get("XTRADER_SIM_BIN", "build/release/src/sim/xtrader-sim")
SCENARIOS = ("large-trade", "whale", "spoofer", "wash-ring")


class Watch:
    """Topics, surveillance groups and a PostgreSQL database of the test's own."""

    def __init__(self):
        tag = uuid.uuid4().hex[:10]
        self.topic = Topic()
        self.db = "xt_" + tag
        self.dsn = f"host=127.0.0.1 port={PG_PORT} dbname={self.db} user=xtrader"
        self.prefix = f"it-{tag}-"
        self.alerts_topic = "surveillance-alerts-" + tag
        psql(f"CREATE DATABASE {self.db}")

    def flags(self, *more):
        return [*self.topic.flags(), "--postgres", self.dsn, "--surveillance-group-prefix", self.prefix,
                "--kafka-alerts-topic", self.alerts_topic, *more]

    def member(self, group, log):
        """A --role surveillance process, its output appended to `log`."""
        with open(log, "a") as out:
            return subprocess.Popen([BIN, "--config", CONFIG, "--role", "surveillance", "--group", group,
                                     *self.flags()], stdout=out, stderr=subprocess.STDOUT)

    def caught_up(self, group, daemon):
        """Whether the group has committed every message of its topics, all of which the
        exchange has published."""
        if any(pipeline_state(daemon, name)["lag"] for name in ("kafka", "kafka-order-events")):
            return False
        described = subprocess.run([SERVICES, "kafka-tool",
                                    "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
                                    "--bootstrap-server", KAFKA, "--describe", "--group", self.prefix + group],
                                   capture_output=True, text=True, timeout=120).stdout
        # GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...
        rows = [line.split() for line in described.splitlines()
                if line.startswith(self.prefix + group + " ")]
        return bool(rows) and all(r[3] == r[4] or r[4] == "0" for r in rows)

    def published_alerts(self):
        out = subprocess.run([SERVICES, "kafka-read", self.alerts_topic], capture_output=True, text=True,
                             timeout=180)
        return [json.loads(line.split("\t", 1)[1]) for line in out.stdout.splitlines()]

    def close(self):
        try:
            psql(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)")
        except RuntimeError:
            pass


@pytest.fixture
def watch():
    w = Watch()
    yield w
    w.close()


def alerts(daemon, query=""):
    status, body, _ = daemon.client().get("/v1/admin/alerts?limit=1000" + query,
                                          headers={"X-Admin-Token": ADMIN})
    assert status == 200, body
    return body["alerts"]


def simulate(daemon, *args):
    return subprocess.Popen([SIM, "--config", CONFIG, "--http-port", str(daemon.port), "--host", "127.0.0.1",
                             *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


# Each scenario's alert: its kind and accounts (the first two accounts trade, the third spoofs,
# the last is the whale). Other alerts come with them (the large trade's orders are whale orders
# too, its two sides whales of a young market): they are not the scenario's.
EXPECTED = {("large_trade", (1, 2)), ("whale_order", (4,)), ("spoofing", (3,)), ("wash_ring", (1, 2))}


def wait_for_scenarios(daemon):
    """Runs every scenario once after 8 s of a normal market; returns the first alert of each
    with the seconds it took to show through the API after its event."""
    sim = simulate(daemon, "--rate", "20", "--seconds", "40", "--scenario-after", "8",
                   *[arg for s in SCENARIOS for arg in ("--scenario", s)])
    seen = {}
    try:
        deadline = time.time() + 40
        while time.time() < deadline and len(seen) < len(EXPECTED):
            for a in alerts(daemon):
                key = (a["kind"], tuple(a["accounts"]))
                if key in EXPECTED and a["kind"] not in seen:
                    seen[a["kind"]] = (a, time.time() - a["time"] / 1000)
            time.sleep(0.2)
    finally:
        sim.terminate()
        sim.wait(30)
    assert set(seen) == {kind for kind, _ in EXPECTED}, seen
    return seen


def assert_evidence(seen):
    large, _ = seen["large_trade"]
    assert len(large["executions"]) == 1 and len(large["orders"]) == 2
    assert "1.5000 BTC" in large["summary"]
    whale, _ = seen["whale_order"]
    assert len(whale["orders"]) == 1 and "0.5000 BTC" in whale["summary"]
    spoof, _ = seen["spoofing"]
    assert len(spoof["orders"]) >= 3 and spoof["executions"]
    ring, _ = seen["wash_ring"]
    assert len(ring["executions"]) >= 10
    for kind, (alert, latency) in seen.items():
        assert latency < 5, f"{kind} showed {latency:.1f}s after its event"


def test_every_scenario_raises_its_alert_in_embedded_mode(data_dir):
    d = Daemon(data_dir).start()
    try:
        seen = wait_for_scenarios(d)
        assert_evidence(seen)
        large, _ = seen["large_trade"]
        reports = sqlite3.connect(os.path.join(data_dir, "alerts.sqlite")).execute(
            "SELECT exec_id, buy_account, sell_account, quantity FROM regulatory_reports").fetchall()
        assert (int(large["executions"][0]), 15000) in [(r[0], r[3]) for r in reports]
        # Restarted, the exchange goes on from its stored position: nothing raised twice.
        before = sorted(a["id"] for a in alerts(d))
        d.stop()
        d.start()
        assert sorted(a["id"] for a in alerts(d)) == before
    finally:
        d.stop()


def test_every_scenario_raises_its_alert_in_full_mode(data_dir, watch):
    d = Daemon(data_dir, *watch.flags()).start()
    try:
        seen = wait_for_scenarios(d)
        assert_evidence(seen)
        large, _ = seen["large_trade"]
        assert psql(f"SELECT buy_account, sell_account, quantity, notional >= 50000000 FROM regulatory_reports "
                    f"WHERE exec_id = {large['executions'][0]}", watch.db) in (
                        [["1", "2", "1.5000", "t"]], [["2", "1", "1.5000", "t"]])
        stored = {a["id"]: a for a in alerts(d)}
        assert int(psql("SELECT count(*) FROM alerts", watch.db)[0][0]) == len(stored)
        evidence = json.loads(psql(f"SELECT evidence FROM alerts WHERE id = '{large['id']}'", watch.db)[0][0])
        assert evidence == {"executions": large["executions"], "orders": large["orders"]}
        # Every stored alert reaches the topic, keyed by symbol, with the stored id.
        wait_until(lambda: set(stored) <= {a["id"] for a in watch.published_alerts()}, 60,
                   "the stored alerts on the topic")
        figures = d.client().get("/api/v1/system/pipelines")[1]
        groups = {p["name"] for p in figures["pipelines"]}
        assert {watch.prefix + "regulatory", watch.prefix + "analytics"} <= groups
    finally:
        d.stop()


def test_a_normal_market_raises_no_alert_in_three_minutes(data_dir, watch):
    d = Daemon(data_dir, *watch.flags()).start()
    try:
        run = subprocess.run([SIM, "--config", CONFIG, "--http-port", str(d.port), "--host", "127.0.0.1",
                              "--seconds", "180"], capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        trades = d.client().get("/api/v1/executions/BTC-KRW?limit=1000")[1]["executions"]
        assert len(trades) > 200, "the simulated market traded"
        wait_until(lambda: watch.caught_up("analytics", d) and watch.caught_up("regulatory", d), 60,
                   "the surveillance groups caught up")
        assert alerts(d) == []
        assert psql("SELECT count(*) FROM alerts", watch.db) == [["0"]]
    finally:
        d.stop()


def cross(alice, bob, i):
    """Alice and bob trade 0.01 BTC at 50,000,000, in turn buying and selling."""
    seller, buyer = (alice, bob) if i % 2 == 0 else (bob, alice)
    status, body, _ = seller.order(side="Sell", price="50000000", quantity="0.01")
    assert status == 200, body
    status, body, _ = buyer.order(side="Buy", price="50000000", quantity="0.01", time_in_force="IOC")
    assert status == 200 and body["status"] == "Filled", body


@pytest.mark.fault
def test_a_member_killed_in_the_middle_of_a_wash_ring_loses_and_doubles_nothing(data_dir, watch):
    d = Daemon(data_dir, *watch.flags("--surveillance", "processes")).start()
    log = os.path.join(data_dir, "analytics.log")
    member = watch.member("analytics", log)
    try:
        alice, bob = d.client(ALICE), d.client(BOB)
        for i in range(6):
            cross(alice, bob, i)
        wait_until(lambda: watch.caught_up("analytics", d), 90, "the analytics group committed the first trades")
        member.send_signal(signal.SIGKILL)
        member.wait(30)
        for i in range(6, 10):
            cross(alice, bob, i)
        assert alerts(d, "&kind=wash_ring") == []
        # The exchange relays the processes' alerts from their topic to its WebSocket.
        from wsclient import WsClient
        operator = WsClient(d.ws_port, timeout=60)
        operator.send({"op": "auth", "admin_token": ADMIN})
        assert operator.recv()["type"] == "Authenticated"
        operator.send({"op": "subscribe", "channels": ["alerts"]})
        assert operator.recv()["type"] == "Subscribed"
        # The restarted member reads the ring's first six trades again before its committed
        # offset: the tenth trade completes the ring.
        member = watch.member("analytics", log)
        wait_until(lambda: alerts(d, "&kind=wash_ring"), 60, "the wash ring's alert")
        relayed = operator.recv_until(lambda m: m.get("type") == "Alert")
        assert relayed["alert"]["kind"] == "wash_ring"
        operator.close()
        wait_until(lambda: watch.caught_up("analytics", d), 90, "the analytics group caught up")
        ring = alerts(d, "&kind=wash_ring")
        assert len(ring) == 1, ring
        assert ring[0]["accounts"] == [1, 2] and len(ring[0]["executions"]) == 10
        with open(log) as f:
            assert "read again from offset" in f.read(), "the restarted member warmed up"
        # Killed again and restarted: the same ring read again stores nothing new.
        member.send_signal(signal.SIGKILL)
        member.wait(30)
        member = watch.member("analytics", log)
        cross(alice, bob, 10)
        wait_until(lambda: watch.caught_up("analytics", d), 90, "the analytics group caught up again")
        assert alerts(d, "&kind=wash_ring") == ring
    finally:
        member.send_signal(signal.SIGTERM)
        member.wait(30)
        d.stop()


def test_the_daily_report_counts_each_accounts_trades_fees_and_orders(daemon):
    alice, bob = daemon.client(ALICE), daemon.client(BOB)
    cross(alice, bob, 0)
    status, resting, _ = alice.order(side="Sell", price="51000000", quantity="0.02")
    assert status == 200
    assert alice.request("DELETE", f"/v1/order/{resting['order_id']}")[0] == 200
    # The report reads the trade store, a moment behind the answers.
    wait_until(lambda: pipeline_state(daemon, "trade-store")["lag"] == 0, 30, "the trade store")
    today = time.strftime("%Y-%m-%d", time.gmtime())
    admin = {"X-Admin-Token": ADMIN}
    status, report, _ = daemon.client().get(f"/v1/admin/reports/daily?date={today}", headers=admin)
    assert status == 200, report
    rows = {(r["account_id"], r["symbol"]): r for r in report["rows"]}
    assert set(rows) == {(1, "BTC-KRW"), (2, "BTC-KRW")}
    a, b = rows[(1, "BTC-KRW")], rows[(2, "BTC-KRW")]
    # 0.01 BTC at 50,000,000 KRW; 0.05 % fee on each side.
    assert (a["trades"], a["volume"], a["notional"], a["fees"], a["fee_asset"]) == (
        1, Decimal("0.0100"), Decimal("500000.0000"), Decimal("250.0000"), "KRW")
    assert (a["orders_placed"], a["orders_cancelled"]) == (2, 1)
    assert (b["trades"], b["fees"], b["orders_placed"], b["orders_cancelled"]) == (1, Decimal("250.0000"), 1, 0)

    status, csv, res = daemon.client().get(f"/v1/admin/reports/daily?date={today}",
                                           headers={**admin, "Accept": "text/csv"})
    assert status == 200 and res.getheader("Content-Type").startswith("text/csv")
    lines = csv.decode().splitlines()
    assert lines[0] == ("date,account_id,symbol,trades,volume,notional,fees,fee_asset,orders_placed,"
                        "orders_cancelled")
    assert f"{today},1,BTC-KRW,1,0.0100,500000.0000,250.0000,KRW,2,1" in lines

    for quiet in ("2020-01-01", "1969-12-31", "9999-12-31"):  # before the exchange, or past 2262
        assert daemon.client().get(f"/v1/admin/reports/daily?date={quiet}", headers=admin)[1]["rows"] == []
    for bad in ("2026-02-30", "2026-1-01", "0000-01-01", "yesterday", ""):
        status, body, _ = daemon.client().get(f"/v1/admin/reports/daily?date={bad}", headers=admin)
        assert (status, body["error"]["code"]) == (400, "invalid_date"), bad
    assert daemon.client().get(f"/v1/admin/reports/daily?date={today}")[0] == 401
    assert daemon.client(ALICE).get("/v1/admin/alerts")[0] == 401


class Venue(http.server.BaseHTTPRequestHandler):
    """A venue of the test's own, serving Upbit's and Binance's ticker formats; `mode` says
    how it answers: ok, 500, timeout (slower than xtraderd waits) or malformed."""
    mode = "ok"
    price = Decimal("51000000")  # 2 % over our 50,000,000

    def do_GET(self):  # noqa: N802 (the handler's name)
        if Venue.mode == "timeout":
            time.sleep(1.5)
        if Venue.mode == "500":
            self.send_response(500)
            self.end_headers()
            return
        if Venue.mode == "malformed":
            body = b'{"market": "KRW-BTC", "trade_price": '
        elif self.path.startswith("/v1/ticker?markets=KRW-BTC"):
            body = json.dumps([{"market": "KRW-BTC", "trade_price": float(Venue.price)}]).encode()
        elif self.path == "/api/v3/ticker/bookTicker?symbol=BTCKRW":
            body = json.dumps({"symbol": "BTCKRW", "bidPrice": str(Venue.price - 10000),
                               "askPrice": str(Venue.price + 10000)}).encode()
        else:
            body = b"[]"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def venue():
    Venue.mode = "ok"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Venue)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def venue_figures(daemon, name):
    sync = pipeline_state(daemon, "exchange-sync")
    return next(v for v in sync["venues"] if v["name"] == name)


def test_prices_away_from_other_venues_raise_deviation_and_arbitrage_alerts(data_dir, venue):
    config = os.path.join(data_dir, "venues.toml")
    with open(config, "w") as f:
        f.write(f"""include = "{os.path.abspath(CONFIG)}"
[surveillance]
deviation_bps = 100
deviation_s = 1
venue_poll_ms = 200
venue_timeout_ms = 500
[[venues]]
name = "upbit"
kind = "upbit"
url = "http://127.0.0.1:{venue}"
symbols = {{ "BTC-KRW" = "KRW-BTC" }}
[[venues]]
name = "binance"
kind = "binance"
url = "http://127.0.0.1:{venue}"
fee = "0.001"
symbols = {{ "BTC-KRW" = "BTCKRW" }}
""")
    d = Daemon(data_dir, "--config", config).start()
    try:
        alice, bob = d.client(ALICE), d.client(BOB)
        cross(alice, bob, 0)  # our last price: 50,000,000
        assert alice.order(side="Sell", price="50000000", quantity="0.01")[0] == 200  # our ask
        deviations = lambda: [a for a in alerts(d, "&kind=price_deviation")]  # noqa: E731
        wait_until(lambda: {tuple(a["id"].split(":")[1:2]) for a in deviations()} == {("upbit",), ("binance",)},
                   30, "a deviation alert for each venue")
        assert "-1.96 %" in deviations()[0]["summary"]
        wait_until(lambda: alerts(d, "&kind=arbitrage"), 30, "the arbitrage alert")
        assert "binance" in alerts(d, "&kind=arbitrage")[0]["summary"]
        metrics = d.client().get("/metrics")[1].decode()
        assert 'xtrader_venue_deviation_bps{venue="upbit",symbol="BTC-KRW"} -196' in metrics
        assert pipeline_state(d, "exchange-sync")["state"] == "healthy"

        # A venue that fails is counted and logged; the exchange goes on.
        for mode, error in (("500", "status 500"), ("timeout", "read"), ("malformed", "JSON")):
            Venue.mode = mode
            before = venue_figures(d, "upbit")["errors"]
            wait_until(lambda: venue_figures(d, "upbit")["errors"] >= before + 2, 30, f"errors while {mode}")
            assert error in venue_figures(d, "upbit")["last_error"], venue_figures(d, "upbit")
            assert pipeline_state(d, "exchange-sync")["state"] == "degraded"
            assert d.client().get("/health")[0] == 200
        # Back: the deviation is a new episode, alerted again.
        Venue.mode = "ok"
        count = len([a for a in deviations() if a["id"].startswith("price_deviation:upbit")])
        wait_until(lambda: len([a for a in deviations() if a["id"].startswith("price_deviation:upbit")]) > count,
                   30, "the deviation alert once the venue is back")
        assert venue_figures(d, "upbit")["last_error"] == ""
    finally:
        d.stop()


def test_with_no_venue_exchange_sync_is_off_and_says_so(daemon):
    assert pipeline_state(daemon, "exchange-sync")["state"] == "off"


def test_the_alerts_channel_streams_alerts_to_admin_connections_only(daemon):
    from wsclient import WsClient
    watcher = WsClient(daemon.ws_port)
    watcher.send({"op": "subscribe", "channels": ["alerts"]})
    assert watcher.recv()["code"] == "unauthorized"
    watcher.send({"op": "auth", "api_key": ALICE})
    assert watcher.recv()["type"] == "Authenticated"
    watcher.send({"op": "subscribe", "channels": ["alerts"]})
    assert watcher.recv()["code"] == "unauthorized", "a trading key is not the admin token"
    watcher.send({"op": "auth", "admin_token": "wrong"})
    assert watcher.recv()["code"] == "unauthorized"
    watcher.send({"op": "auth", "admin_token": ADMIN})
    assert watcher.recv() == {"type": "Authenticated", "admin": True}
    watcher.send({"op": "subscribe", "channels": ["alerts"]})
    assert watcher.recv() == {"type": "Subscribed", "channels": ["alerts"]}
    # 1.5 BTC at 50,000,000 KRW: 75,000,000 KRW, a large trade.
    alice, bob = daemon.client(ALICE), daemon.client(BOB)
    assert alice.order(side="Sell", price="50000000", quantity="1.5")[0] == 200
    status, fill, _ = bob.order(side="Buy", price="50000000", quantity="1.5", time_in_force="IOC")
    assert status == 200 and fill["status"] == "Filled"
    message = watcher.recv_until(lambda m: m.get("type") == "Alert" and m["alert"]["kind"] == "large_trade")
    assert message["channel"] == "alerts"
    assert message["alert"]["accounts"] == [1, 2] and "1.5000 BTC" in message["alert"]["summary"]
    assert message["alert"]["id"] in {a["id"] for a in alerts(daemon)}
    watcher.close()
