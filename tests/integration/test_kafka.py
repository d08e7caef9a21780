"""The market-data pipeline against the real Kafka of scripts/services.sh: journal -> the
topic market-data (a topic of the test's own), keyed by symbol. Every execution and every book
change reaches it, in sequence order per symbol, through a broker outage and a crash; a
consumer that drops what it has seen by sequence sees each exactly once."""
import json
import os
import signal
import sqlite3
import tempfile
import subprocess
import time
import uuid
from decimal import Decimal

import pytest

from conftest import ALICE, BIN, BOB, CONFIG, Daemon
from load import crossing_pairs, fund
from services import REDIS, ROOT, pipeline, psql, redis, services, wait_until  # noqa: F401
from test_persistence import Load, pipeline_state

KAFKA = "127.0.0.1:17092"


SERVICES = os.path.join(ROOT, "scripts", "services.sh")


class Topic:
    """A market-data topic and an mdp-group of the test's own."""

    def __init__(self):
        tag = uuid.uuid4().hex[:10]
        self.name = "market-data-" + tag
        self.group = "mdp-" + tag
        self.orders = "order-events-" + tag
        self.order_group = "order-history-" + tag

    def flags(self):
        return ["--kafka", KAFKA, "--kafka-topic", self.name, "--kafka-partitions", "2",
                "--kafka-mdp-group", self.group, "--kafka-order-topic", self.orders,
                "--kafka-order-history-group", self.order_group, "--probe-interval", "300"]

    def messages(self, name=None):
        """(key, message text) for every message, in the order of each partition."""
        out = subprocess.run([SERVICES, "kafka-read", name or self.name],
                             capture_output=True, text=True, timeout=180)
        return [tuple(line.split("\t", 1)) for line in out.stdout.splitlines()]

    def market_data(self):
        return [(key, json.loads(value, parse_float=Decimal)) for key, value in self.messages()]

    def write(self, key, value):
        subprocess.run([SERVICES, "kafka-tool", "org.apache.kafka.tools.ConsoleProducer",
                        "--bootstrap-server", KAFKA, "--topic", self.name,
                        "--property", "parse.key=true", "--property", "key.separator=\t"],
                       input=f"{key}\t{value}\n", text=True, check=True, timeout=120)


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


def assert_complete(daemon, topic, fills, pipeline=None):
    wait_until(lambda: pipeline_state(daemon, "kafka")["lag"] == 0, 60, "the publisher caught up")
    applied = first_seen(topic.market_data())
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

    def served_book():  # by the mdp-group, which may still be a few messages behind
        _, rest, _ = daemon.client().get("/api/v1/orderbook/BTC-KRW?depth=500")
        return {side: {l["price"]: (l["volume"], l["order_count"]) for l in rest[name]}
                for side, name in (("Buy", "bids"), ("Sell", "asks"))}
    wait_until(lambda: served_book() == book, 30, "the mdp-group's book equal to the topic's")
    # Every field of an execution, against the account's own history.
    _, history, _ = daemon.client(BOB).get("/v1/execution?limit=1")
    last = history["executions"][0]
    published = next(m for m in executions if m["exec_id"] == int(last["exec_id"]))
    assert Decimal(published["price"]) == last["price"]
    assert Decimal(published["quantity"]) == last["quantity"]
    assert published["transaction_time"] == last["transaction_time"]
    # The mdp-group applied each trade once: the candles count every fill, none twice.
    wait_until(lambda: mdp(daemon)["lag"] == 0 and candle_trades(daemon) >= fills, 60,
               "the mdp-group caught up")
    assert candle_trades(daemon) == fills
    if pipeline is not None:  # and the order-history group every order's last state
        wait_until(lambda: postgres_orders(pipeline.db) == local_orders(daemon.data_dir), 60,
                   "PostgreSQL's orders equal the trade store's")


def mdp(daemon):
    return next(p for p in daemon.client().get("/api/v1/system/pipelines")[1]["pipelines"]
                if p["kind"] == "kafka-consumer-group" and p["name"].startswith("mdp-"))


def candle_trades(daemon):
    _, body, _ = daemon.client().get("/api/v1/klines/BTC-KRW/1h?limit=1000")
    return sum(c["trade_count"] for c in body["candles"])


def market_view(daemon):
    """What REST shows of BTC-KRW's market data, times of day aside."""
    client = daemon.client()
    view = {}
    for interval in ("1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w"):
        view[interval] = client.get(f"/api/v1/klines/BTC-KRW/{interval}?limit=1000")[1]
    book = client.get("/api/v1/orderbook/BTC-KRW?depth=500")[1]
    # The version counts the book's changes since this process started.
    view["book"] = {k: v for k, v in book.items() if k != "version"}
    view["trades"] = client.get("/api/v1/trades/BTC-KRW?limit=1000")[1]
    statistics = client.get("/api/v1/statistics/BTC-KRW")[1]
    view["statistics"] = {k: v for k, v in statistics.items() if "time" not in k}
    return view


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


def test_an_unreadable_message_goes_to_the_dead_letter_topic(data_dir, topic):
    daemon = Daemon(data_dir, *topic.flags()).start()
    try:
        fund(daemon.port, 200)
        crossing_pairs(daemon.port, 50, ALICE, BOB)
        topic.write("BTC-KRW", "{not json")
        topic.write("XXX-KRW", json.dumps({"type": "BookDelta", "sequence": 1, "symbol": "XXX-KRW",
                                           "transaction_time": 1, "changes": []}))
        wait_until(lambda: mdp(daemon)["dead_lettered"] == 2, 60, "both dead-lettered")
        fills, _ = crossing_pairs(daemon.port, 50, ALICE, BOB)  # what follows is still applied
        wait_until(lambda: candle_trades(daemon) == 50 + fills, 60, "later trades applied")
        dead = topic.messages(topic.name + ".dlq")
        assert [key for key, _ in dead] == ["BTC-KRW", "XXX-KRW"]
        assert dead[0][1] == "{not json"
        assert mdp(daemon)["dead_lettered"] == 2  # skipped once, not retried
        _, metrics, _ = daemon.client().get("/metrics")
        assert f'xtrader_consumer_dead_lettered_total{{group="{topic.group}"}} 2' in metrics.decode()
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
def test_kafka_outage_delays_nothing_and_loses_nothing(data_dir, topic, pipeline):
    daemon = Daemon(data_dir, *topic.flags(), "--postgres", pipeline.dsn).start()
    try:
        load = Load(daemon, 2_000_000)  # 30 s and more of pairs
        wait_until(lambda: pipeline_state(daemon, "kafka")["cursor"] > 1000, 60, "events flowing")
        services("down", "kafka")
        down_at = time.monotonic()
        try:
            wait_until(lambda: pipeline_state(daemon, "kafka")["state"] == "degraded", 30,
                       "the publisher degraded")
            before = pipeline_state(daemon, "kafka")["cursor"]
            wait_until(lambda: mdp(daemon)["state"] == "degraded", 30, "the mdp-group degraded")
            time.sleep(max(0.0, 30 - (time.monotonic() - down_at)))  # 30 s without Kafka
            now = pipeline_state(daemon, "kafka")
            assert now["state"] == "degraded" and now["cursor"] == before
            assert now["spooled_events"] > 1000  # orders kept coming: the journal holds them
        finally:
            services("up", "kafka")
        time.sleep(1)
        fills, statuses = load.finish()
        assert set(statuses) == {200}, statuses  # the outage never reached a client
        wait_until(lambda: pipeline_state(daemon, "kafka")["state"] == "healthy", 60, "healthy")
        assert_complete(daemon, topic, fills, pipeline)
        assert mdp(daemon)["state"] == "healthy"
    finally:
        daemon.stop()


@pytest.mark.fault
def test_daemon_killed_while_kafka_down_replays_from_its_cursor(data_dir, topic, pipeline):
    flags = [*topic.flags(), "--postgres", pipeline.dsn]
    daemon = Daemon(data_dir, *flags).start()
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
        daemon = Daemon(data_dir, *flags).start()
        assert_complete(daemon, topic, first + second, pipeline)
    finally:
        daemon.stop()


ORDER_COLUMNS = ("order_id, account, market, side, type, tif, post_only, price, quantity, filled, "
                 "price_volume, status, reason, client_order_id, created, updated, sequence")


def local_orders(data_dir):
    """The daemon's own orders, from its trade store, as PostgreSQL's orders table writes them."""
    sides, types, tifs = ("Buy", "Sell"), ("Limit", "Market"), ("GTC", "IOC", "FOK")
    statuses = ("Pending", "PartiallyFilled", "Filled", "Cancelled", "Rejected")
    store = sqlite3.connect(os.path.join(data_dir, "trades.sqlite"))
    rows = {}
    for (order_id, account, market, side, kind, tif, post_only, price, quantity, filled,
         price_volume, status, reason, client_id, created, updated, sequence) in \
            store.execute(f"SELECT {ORDER_COLUMNS} FROM orders"):
        assert market == 0
        rows[order_id] = (account, client_id or None, "BTC-KRW", sides[side], types[kind],
                          tifs[tif], bool(post_only), statuses[status], reason, Decimal(price),
                          Decimal(quantity).scaleb(-4), Decimal(filled).scaleb(-4),
                          Decimal(price_volume).scaleb(-4), sequence, created // 1_000_000,
                          updated // 1_000_000)
    store.close()
    return rows


def postgres_orders(db):
    try:
        rows = psql("SELECT order_id, account_id, client_order_id, symbol, side, order_type, "
                    "time_in_force, post_only, status, reason, price, quantity, filled_quantity, "
                    "filled_amount, sequence, created_time, updated_time FROM orders", db)
    except RuntimeError as e:
        if "does not exist" in str(e):
            return {}  # not migrated yet
        raise
    return {int(r[0]): (int(r[1]), r[2] or None, r[3], r[4], r[5], r[6], r[7] == "t", r[8], r[9],
                        Decimal(r[10]), Decimal(r[11]), Decimal(r[12]), Decimal(r[13]), int(r[14]),
                        int(r[15]), int(r[16])) for r in rows}


def order_flow(daemon, pairs):
    """Crossing pairs, then resting orders, cancels, an IOC remainder, a post-only refusal and
    a book that stays: every lifecycle, within the price band around the pairs' price. Returns
    the executions."""
    fund(daemon.port, pairs + 1000)
    fills, statuses = crossing_pairs(daemon.port, pairs, ALICE, BOB)
    assert set(statuses) == {200}
    alice, bob = daemon.client(ALICE), daemon.client(BOB)
    resting = []
    for i in range(30):
        status, body, _ = alice.order(side="Sell", price=str(1_100_000 + i * 1000),
                                      quantity="0.0010", client_order_id=f"rest-{i}")
        assert status == 200, body
        resting.append(body["order_id"])
    for order_id in resting[20:]:
        assert alice.request("DELETE", f"/v1/order/{order_id}")[0] == 200
    # Takes the 16 levels at or below its price, then the rest of it is cancelled.
    status, body, _ = bob.order(side="Buy", price="1115000", quantity="0.0200",
                                time_in_force="IOC")
    assert status == 200 and body["status"] == "Cancelled" and len(body["executions"]) == 16, body
    fills += 16
    status, body, _ = bob.order(side="Buy", price="1119000", quantity="0.0010", post_only=True)
    assert status == 200 and body["status"] in ("Rejected", "Cancelled"), body
    for i in range(20):  # bids that stay
        status, body, _ = bob.order(side="Buy", price=str(900_000 - i * 1000), quantity="0.0010")
        assert status == 200, body
    return fills


def test_100k_orders_in_full_mode_reach_every_consumer_exactly(data_dir, topic, pipeline):
    """100,000 orders through a full-mode daemon: the market-data topic holds every execution and
    book change in sequence order; the mdp-group's market data equals what an embedded daemon
    rebuilds from the same journal; PostgreSQL's orders equal the trade store's, field by field;
    order-events went out keyed by account, in order."""
    daemon = Daemon(data_dir, *topic.flags(), "--postgres", pipeline.dsn,
                    "--finished-orders-kept", "100").start()
    try:
        fills = order_flow(daemon, 50_000)
        assert_complete(daemon, topic, fills, pipeline)
        # Read once the trade store has every order: its last batch may still be in flight.
        wait_until(lambda: pipeline_state(daemon, "trade-store")["lag"] == 0, 30, "the trade store")
        local = local_orders(data_dir)
        assert len(local) > 100_000
        for name in (topic.group, topic.order_group):
            group = next(p for p in daemon.client().get("/api/v1/system/pipelines")[1]["pipelines"]
                         if p["name"] == name)
            assert group["state"] == "healthy" and group["dead_lettered"] == 0, group
            assert group["duplicates_dropped"] == 0, group  # no outage: nothing came twice
        assert {p["topic"] for p in mdp(daemon)["partitions"]} == {topic.name}
        assert pipeline_state(daemon, "kafka-order-events")["state"] == "healthy"
        events = [(key, json.loads(value, parse_float=Decimal))
                  for key, value in topic.messages(topic.orders)]
        assert all(key == str(m["account_id"]) for key, m in events)
        for account in {key for key, _ in events}:
            mine = [(m["sequence"], m["change"]) for key, m in events if key == account]
            assert mine == sorted(mine)
        first = min(local)
        assert [m["status"] for _, m in events if m["order_id"] == str(first)][:1] == ["Pending"]
        # The view keeps 100 finished orders: the first ones come from PostgreSQL (marked here
        # to tell it from the trade store).
        status, body, _ = daemon.client(ALICE).get(f"/v1/order/{first}")
        assert status == 200 and body["status"] == "Filled" and "reason" not in body
        assert body["filled_quantity"] == local[first][11]
        psql(f"UPDATE orders SET reason = 'from_postgresql' WHERE order_id = {first}", pipeline.db)
        status, body, _ = daemon.client(ALICE).get(f"/v1/order/{first}")
        assert status == 200 and body["reason"] == "from_postgresql"
        # By client_order_id too (an id only PostgreSQL's row carries).
        psql(f"UPDATE orders SET client_order_id = 'pg-only' WHERE order_id = {first}", pipeline.db)
        status, body, _ = daemon.client(ALICE).get("/v1/order?client_order_id=pg-only")
        assert status == 200 and body["order_id"] == str(first), body
        # GET /v1/orders beyond the view's 100: the older ones from PostgreSQL too.
        alice = local[first][0]
        closed = sorted((oid for oid, row in local.items()
                         if row[0] == alice and row[7] in ("Filled", "Cancelled", "Rejected")),
                        reverse=True)
        listed = daemon.client(ALICE).get("/v1/orders?status=closed&limit=1000")[1]["orders"]
        assert [int(o["order_id"]) for o in listed] == closed[:1000]
        marked = closed[500]
        psql(f"UPDATE orders SET reason = 'from_postgresql' WHERE order_id = {marked}", pipeline.db)
        listed = daemon.client(ALICE).get("/v1/orders?status=closed&limit=1000")[1]["orders"]
        assert next(o for o in listed if int(o["order_id"]) == marked)["reason"] == \
            "from_postgresql"
        full = market_view(daemon)
    finally:
        daemon.stop()
    embedded = Daemon(data_dir).start()
    try:
        assert all(p["kind"] != "kafka-consumer-group" for p in
                   embedded.client().get("/api/v1/system/pipelines")[1]["pipelines"])
        assert market_view(embedded) == full
    finally:
        embedded.stop()


def cache_view(prefix):
    """What the market-data cache holds of BTC-KRW: trades per 1h candle, the trades' exec ids,
    the book."""
    candles = redis("ZRANGE", f"{prefix}:BTC-KRW:candles:1h", "0", "-1").split("\n")
    trades = redis("ZRANGE", f"{prefix}:BTC-KRW:trades", "0", "-1").split("\n")
    book = {}
    for side in ("bids", "asks"):
        flat = redis("HGETALL", f"{prefix}:BTC-KRW:{side}").split("\n")
        book[side] = {int(flat[i]): tuple(int(x) for x in flat[i + 1].split())
                      for i in range(0, len(flat) - 1, 2)}
    return (sum(int(c.split()[6]) for c in candles if c),
            [int(t.split()[0]) for t in trades if t], book)


def partition_owner(group, topic_name):
    """The pid of the member that holds the topic's partition with messages."""
    busy = [str(p) for p, end in partition_ends(topic_name).items() if end > 0]
    described = subprocess.run([SERVICES, "kafka-tool",
                                "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
                                "--bootstrap-server", KAFKA, "--describe", "--group", group],
                               capture_output=True, text=True, timeout=120).stdout
    # GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
    for line in described.splitlines():
        fields = line.split()
        if (len(fields) == 9 and fields[1] == topic_name and fields[2] in busy
                and fields[8].startswith("xtraderd-")):
            return int(fields[8].removeprefix("xtraderd-"))
    return None


def mdp_process(topic, prefix, *flags):
    return subprocess.Popen([BIN, "--config", CONFIG, "--role", "mdp", "--kafka", KAFKA,
                             "--kafka-topic", topic.name, "--kafka-mdp-group", topic.group,
                             "--redis", REDIS, "--market-data-cache", prefix, *flags],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_process(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def clear_cache(prefix):
    keys = redis("KEYS", prefix + ":*").split()
    if keys:
        redis("DEL", *keys)


def cache_dump(prefix):
    """Everything the market-data cache holds of BTC-KRW, as Redis gives it."""
    def lines(*command):
        return [line for line in redis(*command).split("\n") if line]

    def hash_of(key):
        flat = lines("HGETALL", key)
        return dict(zip(flat[::2], flat[1::2]))
    market = f"{prefix}:BTC-KRW"
    dump = {i: lines("ZRANGE", f"{market}:candles:{i}", "0", "-1")
            for i in ("1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w")}
    dump["trades"] = lines("ZRANGE", f"{market}:trades", "0", "-1")
    dump["bids"], dump["asks"] = hash_of(f"{market}:bids"), hash_of(f"{market}:asks")
    dump["state"] = hash_of(f"{market}:state")
    return dump


def partition_ends(topic_name):
    offsets = subprocess.run([SERVICES, "kafka-tool", "org.apache.kafka.tools.GetOffsetShell",
                              "--bootstrap-server", KAFKA, "--topic", topic_name],
                             capture_output=True, text=True, timeout=120).stdout
    return {int(p): int(end) for _, p, end in
            (line.split(":") for line in offsets.splitlines() if line.count(":") == 2)}


def delete_records(topic_name, partition, before):
    """What retention does: the partition's messages before offset `before` are gone."""
    with tempfile.NamedTemporaryFile("w", suffix=".json") as spec:
        json.dump({"version": 1, "partitions": [
            {"topic": topic_name, "partition": partition, "offset": before}]}, spec)
        spec.flush()
        subprocess.run([SERVICES, "kafka-tool", "org.apache.kafka.tools.DeleteRecordsCommand",
                        "--bootstrap-server", KAFKA, "--offset-json-file", spec.name],
                       check=True, capture_output=True, timeout=120)


@pytest.mark.fault
def test_an_mdp_process_rebuilds_a_lost_cache_from_the_topic_or_postgresql(data_dir, topic,
                                                                           pipeline):
    prefix = "md-" + topic.name
    daemon = Daemon(data_dir, *topic.flags(), *pipeline.flags(), "--kafka-mdp", "processes").start()
    member = None
    try:
        fund(daemon.port, 10_000)
        fills, _ = crossing_pairs(daemon.port, 1500, ALICE, BOB)
        # A book that stays: levels on both sides, set after the trades.
        for i in range(1, 6):
            for key, side, price in ((ALICE, "Sell", 1_000_000 + 1000 * i),
                                     (BOB, "Buy", 1_000_000 - 1000 * i)):
                assert daemon.client(key).post("/v1/order", {
                    "symbol": "BTC-KRW", "side": side, "order_type": "Limit",
                    "price": str(price), "quantity": "0.001"})[0] == 200
        member = mdp_process(topic, prefix, "--postgres", pipeline.dsn)
        wait_until(lambda: len(cache_dump(prefix)["bids"]) == 5 and
                   len(cache_dump(prefix)["asks"]) == 5, 60, "the book in the cache")
        expected = cache_dump(prefix)
        assert len(expected["trades"]) == 1000  # the last 1,000 of the 1,500
        assert sum(int(c.split()[6]) for c in expected["1h"]) == fills
        stop_process(member)

        # The cache lost, the topic whole: the member reads the partition from its beginning.
        clear_cache(prefix)
        member = mdp_process(topic, prefix, "--postgres", pipeline.dsn)
        wait_until(lambda: cache_dump(prefix) == expected, 60, "the cache rebuilt from the topic")
        stop_process(member)

        # The cache lost and retention took the partition's beginning: PostgreSQL's executions,
        # then the book from the changes the topic still holds.
        pipeline.wait_rows(fills)
        ends = partition_ends(topic.name)
        busy = next(p for p, end in ends.items() if end > 0)
        delete_records(topic.name, busy, ends[busy] - 100)
        clear_cache(prefix)
        member = mdp_process(topic, prefix, "--postgres", pipeline.dsn)
        # The book's version too: the engine's, carried by each book change.
        wait_until(lambda: cache_dump(prefix) == expected, 60, "the cache rebuilt from PostgreSQL")
    finally:
        if member is not None:
            stop_process(member)
        daemon.stop()
        clear_cache(prefix)


@pytest.mark.fault
def test_an_mdp_process_killed_mid_stream_hands_its_partition_over(data_dir, topic):
    prefix = "md-" + topic.name
    group = topic.group
    members = []

    def member():
        members.append(mdp_process(topic, prefix))
        return members[-1]

    daemon = Daemon(data_dir, *topic.flags(), "--kafka-mdp", "processes").start()
    try:
        assert all(p["kind"] != "kafka-consumer-group" or p["name"] != topic.group for p in
                   daemon.client().get("/api/v1/system/pipelines")[1]["pipelines"])
        member()
        load = Load(daemon, 200_000)
        wait_until(lambda: cache_view(prefix)[0] > 500, 60, "the first member writing the cache")
        member()  # the group rebalances: the first hands over what it applied, then both share
        wait_until(lambda: partition_owner(group, topic.name) is not None, 60, "an owner")
        time.sleep(2)
        owner = partition_owner(group, topic.name)
        victim = next(p for p in members if p.pid == owner)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        time.sleep(3)
        fills, statuses = load.finish()
        assert set(statuses) == {200}
        survivor = next(p for p in members if p.pid != owner)
        wait_until(lambda: partition_owner(group, topic.name) == survivor.pid, 60,
                   "the partition moved to the other member")
        wait_until(lambda: cache_view(prefix)[0] >= fills, 90, "every trade in the cache")
        counted, exec_ids, book = cache_view(prefix)
        assert counted == fills  # nothing missed, nothing counted twice
        assert exec_ids == list(range(fills - len(exec_ids) + 1, fills + 1))
        _, rest, _ = daemon.client().get("/api/v1/orderbook/BTC-KRW?depth=500")
        assert book == {side: {int(l["price"]): (int(l["volume"] * 10_000), l["order_count"])
                               for l in rest[side]} for side in ("bids", "asks")}
    finally:
        for proc in members:
            stop_process(proc)
        daemon.stop()
        clear_cache(prefix)
