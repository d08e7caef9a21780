"""The persistence pipeline's figures (scripts/bench.sh persistence): prints JSON last.

  live      crossing pairs over REST as fast as one client machine sends them, the whole
            pipeline running: the rate the exchange produced executions and the lag from each
            execution's time to its committed PostgreSQL row (p50, p99).
  publisher the journal of that run replayed into a fresh stream, no consumers: XADD rate,
            from the first entry in the stream to the last.
  persister 3 persister processes storing that stream into a fresh database: rows/s.
  sustained the journal replayed again into a fresh stream and database with both running, as
            after an outage: executions/s from the journal into PostgreSQL rows, from the first
            entry in the stream to the last row.
  baseline  redis-benchmark's pipelined XADD of a message of the same size on the same server.

Usage: bench/persistence.py XTRADERD CONFIG DATA_DIR [EXECUTIONS]
"""
import json
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from conftest import ALICE, BOB, Daemon  # noqa: E402
import conftest  # noqa: E402
from load import crossing_pairs, fund  # noqa: E402
from services import REDIS, Pipeline, psql, redis  # noqa: E402

binary, config, data = sys.argv[1:4]
executions = int(sys.argv[4]) if len(sys.argv) > 4 else 200_000
conftest.BIN, conftest.CONFIG = binary, config


def timed_until(predicate, poll=0.02, timeout=600):
    start = time.perf_counter()
    while not predicate():
        if time.perf_counter() - start > timeout:
            raise SystemExit("timed out")
        time.sleep(poll)
    return time.perf_counter() - start


class StreamLength:
    """XLEN over one kept connection: a redis-cli process per poll would take CPU from what is
    measured."""

    def __init__(self, stream):
        host, port = REDIS.split(":")
        self.sock = socket.create_connection((host, int(port)))
        self.replies = self.sock.makefile("rb")
        self.command = f"*2\r\n$4\r\nXLEN\r\n${len(stream)}\r\n{stream}\r\n".encode()

    def __call__(self):
        self.sock.sendall(self.command)
        return int(self.replies.readline()[1:])

    def close(self):
        self.replies.close()
        self.sock.close()


def restart_from_the_start(pipeline, **flags):
    """A daemon on the same journal whose publisher starts over (cursor removed)."""
    cursor = os.path.join(data, "cursors", "redis-streams")
    if os.path.exists(cursor):
        os.remove(cursor)
    return Daemon(data, *pipeline.flags(**flags)).start()


def listening(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


# The figures depend on what shares the machine: say so beside them.
load_start = os.getloadavg()
beside = [name for name, port in (("kafka", 17092), ("rabbitmq", 17672)) if listening(port)]
pipelines = []
try:
    # live
    live = Pipeline()
    pipelines.append(live)
    daemon = Daemon(data, *live.flags()).start()
    fund(daemon.port, executions)
    start = time.perf_counter()
    fills, statuses = crossing_pairs(daemon.port, executions, ALICE, BOB, connections=4, depth=200)
    produce_seconds = time.perf_counter() - start
    assert fills == executions, statuses
    live.wait_rows(executions, timeout=600)
    lag = psql("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY l), percentile_cont(0.99) WITHIN GROUP "
               "(ORDER BY l), max(l) FROM (SELECT extract(epoch FROM persisted_at) * 1000 - transaction_time "
               "AS l FROM executions) s", live.db)[0]
    daemon.stop()

    # publisher alone
    pub = Pipeline()
    pipelines.append(pub)
    daemon = restart_from_the_start(pub, consumers=0)
    # From the first entry in the stream to the last (the publisher starts during start-up).
    length = StreamLength(pub.stream)
    timed_until(lambda: length() > 0, poll=0.001)
    publish_seconds = timed_until(lambda: length() >= executions, poll=0.005)
    length.close()
    daemon.stop()

    # persisters alone (the stream the publisher just filled)
    workers = [subprocess.Popen(pub.persister_command(binary, config, f"bench-{i}"), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL) for i in range(3)]
    persist_seconds = timed_until(lambda: pub.rows() >= executions, poll=0.25)
    for w in workers:
        w.terminate()
        w.wait()

    # sustained: both at once, from the journal
    both = Pipeline()
    pipelines.append(both)
    daemon = restart_from_the_start(both)
    length = StreamLength(both.stream)
    timed_until(lambda: length() > 0, poll=0.001)
    length.close()
    # Polled through the daemon's own figures: a psql process per poll would cost the pipeline
    # a good part of a core.
    client = daemon.client()

    def stored():
        body = client.get("/api/v1/system/pipelines")[1]
        return next(p["stored"] for p in body["pipelines"] if p["name"] == "persister")

    sustained_seconds = timed_until(lambda: stored() >= executions, poll=0.02)
    both.wait_rows(executions)
    daemon.stop()

    # baseline: redis-benchmark, pipelined XADD of a message of the same size
    message = redis("XRANGE", live.stream, "-", "+", "COUNT", "1").splitlines()[-1]
    out = subprocess.run(["redis-benchmark", "-p", "17379", "-P", "100", "-n", str(max(executions, 200_000)),
                          "-q", "XADD", "bench-baseline", "MAXLEN", "~", "1000000", "*", "seq", "1", "data",
                          message], capture_output=True, text=True, check=True).stdout
    redis("DEL", "bench-baseline")
    baseline = float(re.findall(r"([\d.]+) requests per second", out)[-1])
finally:
    for p in pipelines:
        p.close()

publisher_rate = executions / publish_seconds
print(json.dumps({
    "executions": executions,
    "live_executions_per_s": round(executions / produce_seconds),
    "live_lag_ms_p50": round(float(lag[0]), 1),
    "live_lag_ms_p99": round(float(lag[1]), 1),
    "live_lag_ms_max": round(float(lag[2]), 1),
    "sustained_executions_per_s": round(executions / sustained_seconds),
    "persister_rows_per_s": round(executions / persist_seconds),
    "publisher_xadd_per_s": round(publisher_rate),
    "redis_benchmark_xadd_per_s": round(baseline),
    "publisher_to_redis_benchmark": round(publisher_rate / baseline, 2),
    "load_start": " ".join(f"{x:.2f}" for x in load_start),
    "load_end": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    "brokers_beside": beside,
}))
