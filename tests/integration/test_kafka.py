"""The market-data pipeline against the real Kafka of scripts/services.sh: journal -> the
topic market-data (a topic of the test's own), keyed by symbol. Every execution and every book
change reaches it, in sequence order per symbol, through a broker outage and a crash; a
consumer that drops what it has seen by sequence sees each exactly once."""
import json
import os
import signal
import subprocess
import time
import uuid
from decimal import Decimal

import pytest

from conftest import ALICE, BIN, BOB, CONFIG, Daemon
from load import crossing_pairs, fund
from services import ROOT, services, wait_until
from test_persistence import Load, pipeline_state

KAFKA = "127.0.0.1:17092"


class Topic:
    def __init__(self):
        self.name = "market-data-" + uuid.uuid4().hex[:10]

    def flags(self):
        return ["--kafka", KAFKA, "--kafka-topic", self.name, "--kafka-partitions", "2",
                "--probe-interval", "300"]

    def messages(self):
        """(key, message) for every message, in the order of each partition."""
        out = subprocess.run([os.path.join(ROOT, "scripts", "services.sh"), "kafka-read", self.name],
                             capture_output=True, text=True, timeout=180)
        rows = []
        for line in out.stdout.splitlines():
            key, _, value = line.partition("\t")
            rows.append((key, json.loads(value, parse_float=Decimal)))
        return rows


@pytest.fixture
def topic():
    return Topic()


def first_seen(messages):
    """What a consumer applies: each execution (by exec_id) and each book delta (by sequence)
    once, in the order the topic gives them."""
    seen, applied = set(), []
    for key, m in messages:
        identity = (m["type"], m["exec_id"] if m["type"] == "Execution" else m["sequence"])
        if identity not in seen:
            seen.add(identity)
            applied.append((key, m))
    return applied


def assert_complete(daemon, topic, fills):
    wait_until(lambda: pipeline_state(daemon, "kafka")["lag"] == 0, 60, "the publisher caught up")
    applied = first_seen(topic.messages())
    executions = [m for _, m in applied if m["type"] == "Execution"]
    assert sorted(int(m["exec_id"]) for m in executions) == list(range(1, fills + 1))
    assert all(key == m["symbol"] for key, m in applied)
    # One symbol, one partition: sequence order, as the journal had it.
    sequences = [m["sequence"] for _, m in applied]
    assert sequences == sorted(sequences)
    # The book the deltas build is the daemon's.
    book = {"Buy": {}, "Sell": {}}
    for _, m in applied:
        for c in m.get("changes", []):
            levels = book[c["side"]]
            if Decimal(c["volume"]) == 0:
                levels.pop(Decimal(c["price"]), None)
            else:
                levels[Decimal(c["price"])] = (Decimal(c["volume"]), c["order_count"])
    _, rest, _ = daemon.client().get("/api/v1/orderbook/BTC-KRW?depth=500")
    for side, name in (("Buy", "bids"), ("Sell", "asks")):
        assert book[side] == {l["price"]: (l["volume"], l["order_count"]) for l in rest[name]}
    # Every field of an execution, against the account's own history.
    _, history, _ = daemon.client(BOB).get("/v1/execution?limit=1")
    last = history["executions"][0]
    published = next(m for m in executions if m["exec_id"] == int(last["exec_id"]))
    assert Decimal(published["price"]) == last["price"]
    assert Decimal(published["quantity"]) == last["quantity"]
    assert published["transaction_time"] == last["transaction_time"]


def test_every_execution_and_book_change_reaches_the_topic(data_dir, topic):
    daemon = Daemon(data_dir, *topic.flags()).start()
    try:
        fund(daemon.port, 3000)
        fills, statuses = crossing_pairs(daemon.port, 3000, ALICE, BOB)
        assert set(statuses) == {200}
        assert pipeline_state(daemon, "kafka")["kind"] == "journal-follower"
        assert_complete(daemon, topic, fills)
        assert pipeline_state(daemon, "kafka")["state"] == "healthy"
    finally:
        daemon.stop()


def test_a_topic_the_cluster_refuses_stops_the_daemon_with_the_reason(data_dir, topic):
    # One broker cannot hold three replicas: a configuration to fix, not an outage to wait out.
    proc = subprocess.run([BIN, "--config", CONFIG, "--data-dir", data_dir, "--http-port", "0",
                           "--ws-port", "0", "--admin-token", "x", *topic.flags(),
                           "--kafka-replication", "3"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert topic.name in proc.stderr and "replication" in proc.stderr.lower(), proc.stderr


@pytest.mark.fault
def test_kafka_outage_delays_nothing_and_loses_nothing(data_dir, topic):
    daemon = Daemon(data_dir, *topic.flags()).start()
    try:
        fund(daemon.port, 200_000)
        load = Load(daemon)
        wait_until(lambda: pipeline_state(daemon, "kafka")["cursor"] > 1000, 60, "events flowing")
        services("down", "kafka")
        try:
            wait_until(lambda: pipeline_state(daemon, "kafka")["state"] == "degraded", 30,
                       "the publisher degraded")
            before = pipeline_state(daemon, "kafka")["cursor"]
            time.sleep(5)
            now = pipeline_state(daemon, "kafka")
            assert now["state"] == "degraded" and now["cursor"] == before
            assert now["spooled_events"] > 1000  # orders kept coming: the journal holds them
        finally:
            services("up", "kafka")
        time.sleep(1)
        fills, statuses = load.finish()
        assert set(statuses) == {200}, statuses  # the outage never reached a client
        wait_until(lambda: pipeline_state(daemon, "kafka")["state"] == "healthy", 60, "healthy")
        assert_complete(daemon, topic, fills)
    finally:
        daemon.stop()


@pytest.mark.fault
def test_daemon_killed_while_kafka_down_replays_from_its_cursor(data_dir, topic):
    daemon = Daemon(data_dir, *topic.flags()).start()
    try:
        fund(daemon.port, 4000)
        first, _ = crossing_pairs(daemon.port, 2000, ALICE, BOB)
        wait_until(lambda: pipeline_state(daemon, "kafka")["lag"] == 0, 60, "published")
        services("down", "kafka")
        try:
            second, _ = crossing_pairs(daemon.port, 2000, ALICE, BOB)
            wait_until(lambda: pipeline_state(daemon, "kafka")["state"] == "degraded", 30,
                       "the publisher degraded")
            daemon.stop(signal.SIGKILL)
        finally:
            services("up", "kafka")
        daemon = Daemon(data_dir, *topic.flags()).start()
        assert_complete(daemon, topic, first + second)
    finally:
        daemon.stop()
