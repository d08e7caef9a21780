"""docker-compose.yml started by scripts/compose-test.sh, driven from the host through its
published loopback ports only; the brokers' own tools run inside their containers
(`docker-compose exec`)."""
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from conftest import ALICE, BOB, Client  # noqa: E402
from wsclient import WsClient  # noqa: E402

REST = int(os.environ.get("XTRADER_PUBLISH_REST", "27000"))
WS = int(os.environ.get("XTRADER_PUBLISH_WS", "27001"))
DASHBOARD = int(os.environ.get("XTRADER_PUBLISH_DASHBOARD", "29090"))
PRICE, QUANTITY = "1000000", "0.001"


def compose(*args, timeout=120):
    return subprocess.run(["docker-compose", "-f", str(ROOT / "docker-compose.yml"), *args],
                          check=True, capture_output=True, text=True, timeout=timeout).stdout


def sql(query):
    return compose("exec", "-T", "postgres", "psql", "-U", "xtrader", "-d", "xtrader", "-tAc",
                   query).strip()


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.5)


def ready():
    try:
        status, _, _ = Client(REST).get("/ready")
        return status == 200
    except OSError:
        return False


def cross(pairs):
    """Alice sells, Bob buys at the same price: one execution per pair. The buys' order ids."""
    alice, bob = Client(REST, ALICE), Client(REST, BOB)
    buys = []
    for _ in range(pairs):
        status, body, _ = alice.order(side="Sell", price=PRICE, quantity=QUANTITY)
        assert status == 200, body
        status, body, _ = bob.order(side="Buy", price=PRICE, quantity=QUANTITY)
        assert status == 200, body
        assert body["status"] == "Filled", body
        buys.append(body["order_id"])
    return buys


def test_orders_reach_the_websocket_postgresql_the_topic_and_the_stream():
    assert wait_until(ready, 60, "the exchange ready")
    ws = WsClient(WS)  # through HAProxy, to one of the gateways
    ws.send({"op": "subscribe", "channels": ["executions:BTC-KRW"]})
    ws.recv_until(lambda m: m.get("type") == "Subscribed")
    executions_before = int(sql("select count(*) from executions"))

    buys = cross(20)

    executions = []
    while len(executions) < 20:
        message = ws.recv()
        if message.get("type") == "Execution":
            executions.append(int(message["exec_id"]))
    assert executions == sorted(set(executions))  # once each, in order
    ws.close()

    exec_ids = ",".join(str(i) for i in executions)
    wait_until(lambda: sql(f"select count(*) from executions where exec_id in ({exec_ids})") == "20",
               60, "the persisters' rows in PostgreSQL")
    assert int(sql("select count(*) from executions")) == executions_before + 20
    ids = ",".join(buys)
    wait_until(lambda: sql(f"select count(*) from orders where order_id in ({ids})"
                           " and status = 'Filled'") == "20", 60,
               "the order-history group's rows in PostgreSQL")
    stream = int(compose("exec", "-T", "redis", "redis-cli", "XLEN", "executions").strip())
    assert stream >= executions_before + 20
    offsets = compose("exec", "-T", "kafka", "java", "-Xmx64m", "-cp", "/opt/kafka/libs/*",
                      "org.apache.kafka.tools.GetOffsetShell", "--bootstrap-server",
                      "localhost:9092", "--topic", "market-data", timeout=60)
    # An Execution and a BookDelta per trade, at least, on the topic.
    assert sum(int(line.rsplit(":", 1)[1]) for line in offsets.split()) >= 2 * 20


def test_prometheus_scrapes_every_xtrader_process_and_serves_the_dashboard():
    def targets():
        conn = http.client.HTTPConnection("127.0.0.1", DASHBOARD, timeout=10)
        conn.request("GET", "/api/v1/targets")
        active = json.loads(conn.getresponse().read())["data"]["activeTargets"]
        return active if active and all(t["health"] == "up" for t in active) else None

    active = wait_until(targets, 60, "every target up")
    jobs = sorted(t["labels"]["job"] for t in active)
    assert jobs == ["exchange", "mdp", "persister", "persister", "surveillance", "surveillance",
                    "ws-gateway", "ws-gateway", "ws-gateway"]

    conn = http.client.HTTPConnection("127.0.0.1", DASHBOARD, timeout=10)
    conn.request("GET", "/consoles/xtrader.html")
    response = conn.getresponse()
    page = response.read().decode()
    assert response.status == 200
    assert "Pipelines" in page and "WebSocket gateways" in page


def test_a_restart_of_xtraderd_under_load_loses_no_acknowledged_order():
    acknowledged = {}  # order id -> (its account's key, the status the client was told)
    stop = threading.Event()
    errors = []

    def load():
        alice, bob = Client(REST, ALICE), Client(REST, BOB)
        side = 0
        while not stop.is_set():
            client, name, key = (alice, "Sell", ALICE) if side == 0 else (bob, "Buy", BOB)
            try:
                status, body, _ = client.order(side=name, price=PRICE, quantity=QUANTITY)
            except (OSError, http.client.HTTPException):
                time.sleep(0.05)  # restarting: not acknowledged, try again
                continue
            if status == 200:
                acknowledged[body["order_id"]] = (key, body["status"])
                side ^= 1
            elif status in (429, 503):  # over the key's rate limit; starting or stopping
                time.sleep(0.1)
            else:
                errors.append((status, body))

    worker = threading.Thread(target=load)
    worker.start()
    try:
        wait_until(lambda: len(acknowledged) >= 200, 60, "orders before the restart")
        before = len(acknowledged)
        compose("restart", "xtraderd", timeout=180)
        wait_until(ready, 120, "the exchange ready again")
        wait_until(lambda: len(acknowledged) >= before + 200, 60, "orders after the restart")
    finally:
        stop.set()
        worker.join()
    assert not errors, errors[:5]

    clients = {ALICE: Client(REST, ALICE), BOB: Client(REST, BOB)}
    for order_id, (key, told) in acknowledged.items():
        status, body, _ = clients[key].get_within_rate(f"/v1/order/{order_id}")
        assert status == 200, (order_id, body)
        # What the client was told is where the order started; a resting sell may have filled since.
        assert told == body["status"] or (told == "Pending" and body["status"] == "Filled"), \
            (order_id, told, body)

    # Every execution the stream carries reaches PostgreSQL once, the restart notwithstanding.
    def persisted():
        stream = int(compose("exec", "-T", "redis", "redis-cli", "XLEN", "executions").strip())
        return int(sql("select count(*) from executions")) == stream
    wait_until(persisted, 90, "PostgreSQL equal to the stream")
