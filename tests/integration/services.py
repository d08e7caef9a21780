"""The brokers of full mode, as scripts/services.sh runs them on loopback, seen from the tests:
redis-cli and psql against them, and a fresh stream and database for each test."""
import os
import subprocess
import time
import uuid
from decimal import Decimal

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REDIS = "127.0.0.1:17379"
PG_PORT = "17432"
GROUP = "execution_processors"


def services(*args):
    subprocess.run([os.path.join(ROOT, "scripts", "services.sh"), *args], check=True,
                   stdout=subprocess.DEVNULL)


def redis(*args):
    out = subprocess.run(["redis-cli", "-p", REDIS.split(":")[1], *args], capture_output=True, text=True,
                         timeout=30)
    return out.stdout.strip()


def psql(sql, db="postgres"):
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", PG_PORT, "-U", "xtrader", "-d", db, "-X", "-q",
                          "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def wait_until(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Pipeline:
    """A stream, its dead-letter stream and a PostgreSQL database of the test's own."""

    def __init__(self):
        tag = uuid.uuid4().hex[:10]
        self.stream = "executions-" + tag
        self.db = "xt_" + tag
        self.dsn = f"host=127.0.0.1 port={PG_PORT} dbname={self.db} user=xtrader"
        psql(f"CREATE DATABASE {self.db}")

    def flags(self, consumers=3, claim_idle_ms=2000):
        return ["--redis", REDIS, "--redis-stream", self.stream, "--postgres", self.dsn,
                "--persister-consumers", str(consumers), "--claim-idle", str(claim_idle_ms),
                "--probe-interval", "300"]

    def persister_command(self, bin_path, config, name, claim_idle_ms=2000):
        return [bin_path, "--config", config, "--role", "persister", "--consumer-name", name,
                "--redis", REDIS, "--redis-stream", self.stream, "--postgres", self.dsn,
                "--claim-idle", str(claim_idle_ms), "--log-level", "info"]

    def rows(self):
        try:
            return int(psql("SELECT count(*) FROM executions", self.db)[0][0])
        except RuntimeError as e:
            if "does not exist" in str(e):
                return 0  # not migrated yet
            raise

    def wait_rows(self, n, timeout=120):
        wait_until(lambda: self.rows() >= n, timeout, f"{n} rows in PostgreSQL (have {self.rows()})")
        time.sleep(0.5)  # anything beyond n would be a duplicate: give it time to show
        assert self.rows() == n

    def pending(self):
        summary = redis("XPENDING", self.stream, GROUP)
        return int(summary.split()[0]) if summary and summary.split()[0].isdigit() else 0

    def close(self):
        redis("DEL", self.stream, self.stream + ".dlq")
        try:
            psql(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)")
        except RuntimeError:
            pass


@pytest.fixture
def pipeline():
    if redis("PING") != "PONG" or subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", PG_PORT]).returncode:
        pytest.fail("Redis and PostgreSQL are not running: start them with scripts/services.sh up")
    p = Pipeline()
    yield p
    p.close()


def scaled(text, scale):
    return int(Decimal(text).scaleb(scale))
