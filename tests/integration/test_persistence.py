"""The persistence pipeline against the real brokers of scripts/services.sh: journal -> Redis
stream -> consumer group execution_processors -> PostgreSQL. Every execution lands exactly
once, whatever is killed or stopped on the way."""
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time

import pytest

from conftest import ALICE, BIN, BOB, CONFIG, Daemon, free_port
from load import crossing_pairs, fund
from services import GROUP, pipeline, psql, redis, scaled, services, wait_until  # noqa: F401 (fixture)

EXECUTIONS = int(os.environ.get("XTRADER_TEST_EXECUTIONS", "100000"))


def pipeline_state(daemon, name):
    status, body, _ = daemon.client().get("/api/v1/system/pipelines")
    assert status == 200
    return next(p for p in body["pipelines"] if p["name"] == name)


def exec_ids(pipeline):
    return [int(r[0]) for r in psql("SELECT exec_id FROM executions ORDER BY exec_id", pipeline.db)]


def assert_exactly(pipeline, n):
    """Rows 1..n, each once: nothing lost, nothing twice."""
    pipeline.wait_rows(n)
    assert exec_ids(pipeline) == list(range(1, n + 1))


class Load:
    """Crossing pairs in the background until stopped, at most the `pairs` funded (a fast
    machine must not run out of balance, 402) and 3,000 a second: enough to keep orders coming
    through an outage, few enough for the broker to take the backlog soon after."""

    def __init__(self, daemon, pairs):
        fund(daemon.port, pairs)
        self.stop = threading.Event()
        self.result = None
        self.thread = threading.Thread(target=self._run, args=(daemon.port, pairs))
        self.thread.start()

    def _run(self, port, pairs):
        self.result = crossing_pairs(port, pairs, ALICE, BOB, connections=2, depth=50, stop=self.stop,
                                     rate=3000)

    def finish(self):
        self.stop.set()
        self.thread.join()
        return self.result


def test_every_execution_lands_once_field_by_field(data_dir, pipeline):
    daemon = Daemon(data_dir, *pipeline.flags()).start()
    try:
        fund(daemon.port, EXECUTIONS)
        fills, statuses = crossing_pairs(daemon.port, EXECUTIONS, ALICE, BOB)
        assert statuses == {200: 2 * EXECUTIONS} and fills == EXECUTIONS
        assert_exactly(pipeline, EXECUTIONS)
        wait_until(lambda: pipeline.pending() == 0, 30, "every entry acknowledged")
        assert int(redis("XLEN", pipeline.stream)) == EXECUTIONS
        assert redis("XLEN", pipeline.stream + ".dlq") == "0"

        # The oracle: the daemon's own trade store, written from the same journal events by
        # another path (one row per side).
        store = sqlite3.connect(os.path.join(data_dir, "trades.sqlite"))
        wait_until(lambda: store.execute("SELECT count(*) FROM executions").fetchone()[0] == 2 * EXECUTIONS,
                   30, "the local trade store")
        sides = {(e, m): rest for e, m, *rest in store.execute(
            "SELECT exec_id, is_maker, account, order_id, side, price, quantity, fee, time, sequence "
            "FROM executions")}
        rows = psql("SELECT exec_id, sequence, symbol, price, quantity, taker_side, taker_order_id, "
                    "maker_order_id, taker_account, maker_account, taker_fee, maker_fee, fee_asset, "
                    "taker_remaining, maker_remaining, transaction_time FROM executions", pipeline.db)
        assert len(rows) == EXECUTIONS
        for (exec_id, seq, symbol, price, qty, taker_side, taker_order, maker_order, taker_account,
             maker_account, taker_fee, maker_fee, fee_asset, taker_rem, maker_rem, time_ms) in rows:
            taker, maker = sides[(int(exec_id), 0)], sides[(int(exec_id), 1)]
            side = 0 if taker_side == "Buy" else 1
            assert (symbol, fee_asset, scaled(taker_rem, 4), scaled(maker_rem, 4)) == ("BTC-KRW", "KRW", 0, 0)
            assert taker == [int(taker_account), int(taker_order), side, scaled(price, 0), scaled(qty, 4),
                             scaled(taker_fee, 4), taker[6], int(seq)], exec_id
            assert maker == [int(maker_account), int(maker_order), 1 - side, scaled(price, 0), scaled(qty, 4),
                             scaled(maker_fee, 4), maker[6], int(seq)], exec_id
            assert taker[6] // 1_000_000 == int(time_ms) == maker[6] // 1_000_000

        # In full mode GET /v1/execution reads PostgreSQL.
        status, body, _ = daemon.client(BOB).get("/v1/execution?limit=3")
        assert status == 200 and [e["exec_id"] for e in body["executions"]] == \
            [str(EXECUTIONS - i) for i in range(3)]
        assert all(e["side"] == "Buy" and not e["is_maker"] for e in body["executions"])
        status, body, _ = daemon.client(ALICE).get("/v1/execution?limit=1")
        assert body["executions"][0]["is_maker"] and body["executions"][0]["side"] == "Sell"

        publisher = pipeline_state(daemon, "redis-streams")
        assert publisher["state"] == "healthy" and publisher["lag"] == 0
        persister = pipeline_state(daemon, "persister")
        assert persister["stored"] == EXECUTIONS and persister["dead_lettered"] == 0
        metrics = daemon.client().get("/metrics")[1].decode()
        assert 'xtrader_pipeline_state{pipeline="redis-streams"} 0' in metrics
        assert f'xtrader_persister_stored_total{{pipeline="persister"}} {EXECUTIONS}' in metrics
    finally:
        daemon.stop()


def test_a_batch_holding_a_stored_execution_stores_only_what_is_new(data_dir, pipeline):
    """As after a consumer died between its commit and its XACK: an entry delivered again, in one
    batch with a new one. The batch's COPY fails on the primary key and is stored again through
    the path that skips what is there."""
    daemon = Daemon(data_dir, *pipeline.flags()).start()
    try:
        fund(daemon.port, 10)
        assert crossing_pairs(daemon.port, 10, ALICE, BOB)[0] == 10
        assert_exactly(pipeline, 10)
        wait_until(lambda: pipeline.pending() == 0, 30, "every entry acknowledged")
    finally:
        daemon.stop()
    # While no consumer runs, so that the next one reads both in one batch.
    _, _, seq, _, data = redis("XRANGE", pipeline.stream, "-", "+", "COUNT", "3").splitlines()[-5:]
    new = json.loads(data)
    new["exec_id"] = 1000
    redis("XADD", pipeline.stream, "*", "seq", seq, "data", data)
    redis("XADD", pipeline.stream, "*", "seq", seq, "data", json.dumps(new, separators=(",", ":")))
    daemon = Daemon(data_dir, *pipeline.flags()).start()
    try:
        wait_until(lambda: pipeline.pending() == 0 and pipeline.rows() == 11, 30, "the new row")
        assert exec_ids(pipeline) == list(range(1, 11)) + [1000]
        assert redis("XLEN", pipeline.stream + ".dlq") == "0"
        assert pipeline_state(daemon, "persister")["stored"] == 1
    finally:
        daemon.stop()


def test_unstorable_entries_go_to_the_dead_letter_stream(data_dir, pipeline):
    # Before the exchange publishes: an entry consumers keep dying on (a ghost consumer took it
    # and it has been delivered 10 times), then one that does not parse.
    poison = '{"exec_id":999999,"sequence":1,"symbol":"BTC-KRW"}'
    redis("XADD", pipeline.stream, "0-1", "seq", "0", "data", poison)
    redis("XGROUP", "CREATE", pipeline.stream, GROUP, "0")
    redis("XREADGROUP", "GROUP", GROUP, "ghost", "COUNT", "1", "STREAMS", pipeline.stream, ">")
    redis("XCLAIM", pipeline.stream, GROUP, "ghost", "0", "0-1", "IDLE", "600000", "RETRYCOUNT", "10")
    redis("XADD", pipeline.stream, "0-2", "seq", "0", "data", "not json")
    daemon = Daemon(data_dir, *pipeline.flags(claim_idle_ms=500)).start()
    try:
        fund(daemon.port, 10)
        assert crossing_pairs(daemon.port, 10, ALICE, BOB)[0] == 10
        assert_exactly(pipeline, 10)
        wait_until(lambda: redis("XLEN", pipeline.stream + ".dlq") == "2", 30, "two dead letters")
        dead = redis("XRANGE", pipeline.stream + ".dlq", "-", "+").splitlines()
        text = "\n".join(dead)
        assert "0-1" in text and "delivered 11 times" in text, text
        assert "0-2" in text and "malformed" in text, text
        wait_until(lambda: pipeline.pending() == 0, 30, "the dead letters acknowledged")
        assert pipeline_state(daemon, "persister")["dead_lettered"] == 2
    finally:
        daemon.stop()


def test_a_persister_process_serves_its_status_pages(data_dir, pipeline):
    port = free_port()
    daemon = Daemon(data_dir, *pipeline.flags(consumers=0)).start()
    log = open(os.path.join(data_dir, "p.log"), "w+")
    worker = subprocess.Popen(pipeline.persister_command(BIN, CONFIG, "p1") +
                              ["--status-port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        def page(target, method="GET"):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request(method, target)
            res = conn.getresponse()
            return res.status, res.read().decode()

        wait_until(lambda: _answers(page), 30, "the status port")
        assert page("/health") == (200, '{"status":"ok"}')
        assert page("/ready") == (200, '{"status":"ready"}')
        fund(daemon.port, 10)
        assert crossing_pairs(daemon.port, 10, ALICE, BOB)[0] == 10
        assert_exactly(pipeline, 10)
        status, metrics = page("/metrics")
        assert status == 200 and 'xtrader_persister_stored_total{pipeline="persister"} 10' in metrics
        status, body = page("/api/v1/system/pipelines")
        figures = json.loads(body)
        assert figures["mode"] == "persister"
        assert figures["pipelines"][0]["state"] == "healthy"
        assert figures["pipelines"][0]["stored"] == 10
        assert page("/v1/order")[0] == 404
        # Probes only: anything but GET, or a request line and headers beyond 8 KiB, is dropped.
        with pytest.raises((http.client.HTTPException, ConnectionError)):
            page("/health", method="POST")
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nX: " + b"a" * 9000 + b"\r\n\r\n")
            assert sock.recv(100) == b""
    finally:
        worker.terminate()
        assert worker.wait(30) == 0
        daemon.stop()


def _answers(page):
    try:
        return page("/health")[0] == 200
    except OSError:
        return False


@pytest.mark.fault
def test_killed_persister_process_entries_are_claimed_by_another(data_dir, pipeline):
    daemon = Daemon(data_dir, *pipeline.flags(consumers=0)).start()
    logs = [open(os.path.join(data_dir, f"p{i}.log"), "w+") for i in (1, 2)]
    workers = [subprocess.Popen(pipeline.persister_command(BIN, CONFIG, f"p{i}", claim_idle_ms=1500),
                                stdout=logs[i - 1], stderr=subprocess.STDOUT) for i in (1, 2)]
    try:
        load = Load(daemon, 500_000)
        wait_until(lambda: pipeline.rows() > 2000, 60, "the persisters storing")

        def pending_to_p1():
            out = redis("XPENDING", pipeline.stream, GROUP, "-", "+", "1000", "p1")
            return len(out.splitlines()) // 4

        # Killed while it holds entries it was given and has not acknowledged: mid-batch. It is
        # frozen first, so that what it holds cannot change before the kill.
        def frozen_holding():
            workers[0].send_signal(signal.SIGSTOP)
            if pending_to_p1() > 0:
                return True
            workers[0].send_signal(signal.SIGCONT)
            return False
        wait_until(frozen_holding, 30, "p1 holding a batch")
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait()
        assert pending_to_p1() > 0
        time.sleep(1)
        fills, statuses = load.finish()
        assert set(statuses) == {200}
        assert_exactly(pipeline, fills)
        wait_until(lambda: pending_to_p1() == 0 and pipeline.pending() == 0, 30, "p1's entries claimed")
        logs[1].seek(0)
        assert "claimed" in logs[1].read()
    finally:
        for w in workers:
            if w.poll() is None:
                w.terminate()
                w.wait(30)
        daemon.stop()


def through_an_outage(data_dir, pipeline, service, during):
    """Load running, `service` stopped while `during(daemon)` checks what the pipeline does,
    started again: every order still answered 200, and every execution stored exactly once."""
    daemon = Daemon(data_dir, *pipeline.flags()).start()
    try:
        load = Load(daemon, 1_000_000)
        wait_until(lambda: pipeline.rows() > 1000, 60, "rows flowing")
        services("down", service)
        try:
            during(daemon)
        finally:
            services("up", service)
        time.sleep(1)
        fills, statuses = load.finish()
        assert set(statuses) == {200}, statuses  # the outage never reached a client
        assert_exactly(pipeline, fills)
        wait_until(lambda: pipeline.pending() == 0, 30, "every entry acknowledged")
        wait_until(lambda: pipeline_state(daemon, "redis-streams")["state"] == "healthy", 30, "healthy")
    finally:
        daemon.stop()


@pytest.mark.fault
def test_redis_outage_delays_nothing_and_loses_nothing(data_dir, pipeline):
    def during(daemon):
        wait_until(lambda: pipeline_state(daemon, "redis-streams")["state"] == "degraded", 10,
                   "the publisher degraded")
        before = pipeline_state(daemon, "redis-streams")["cursor"]
        time.sleep(10)
        now = pipeline_state(daemon, "redis-streams")
        assert now["state"] == "degraded" and now["cursor"] == before
        assert now["spooled_events"] > 1000  # orders kept coming: the journal holds them

    through_an_outage(data_dir, pipeline, "redis", during)


@pytest.mark.fault
def test_postgres_outage_acks_nothing_before_commit(data_dir, pipeline):
    def during(daemon):
        wait_until(lambda: pipeline_state(daemon, "persister")["state"] == "degraded", 15,
                   "the persister failing")
        acked = pipeline_state(daemon, "persister")["acknowledged"]
        time.sleep(3)
        # Consumers hold what they were given, unacknowledged, and acknowledge nothing more.
        assert pipeline_state(daemon, "persister")["acknowledged"] == acked
        assert pipeline.pending() > 0

    through_an_outage(data_dir, pipeline, "postgresql", during)


@pytest.mark.fault
def test_daemon_killed_while_redis_down_replays_from_its_cursor(data_dir, pipeline):
    daemon = Daemon(data_dir, *pipeline.flags()).start()
    try:
        fund(daemon.port, 4000)
        assert crossing_pairs(daemon.port, 2000, ALICE, BOB)[0] == 2000
        assert_exactly(pipeline, 2000)
        services("down", "redis")
        try:
            assert crossing_pairs(daemon.port, 2000, ALICE, BOB)[0] == 2000
            wait_until(lambda: pipeline_state(daemon, "redis-streams")["state"] == "degraded", 10,
                       "the publisher degraded")
            daemon.stop(signal.SIGKILL)
        finally:
            services("up", "redis")
        daemon = Daemon(data_dir, *pipeline.flags()).start()
        assert_exactly(pipeline, 4000)
        assert int(redis("XLEN", pipeline.stream)) == 4000
    finally:
        daemon.stop()


def test_a_lost_consumer_group_is_created_again(data_dir, pipeline):
    daemon = Daemon(data_dir, *pipeline.flags()).start()
    try:
        fund(daemon.port, 2000)
        assert crossing_pairs(daemon.port, 1000, ALICE, BOB)[0] == 1000
        assert_exactly(pipeline, 1000)
        # As after a Redis that lost its data: the group is gone. The consumers create it again
        # from the start of the stream; what was stored already is not stored twice.
        assert redis("XGROUP", "DESTROY", pipeline.stream, GROUP) == "1"
        assert crossing_pairs(daemon.port, 1000, ALICE, BOB)[0] == 1000
        assert_exactly(pipeline, 2000)
        wait_until(lambda: pipeline.pending() == 0, 30, "every entry acknowledged")
    finally:
        daemon.stop()
