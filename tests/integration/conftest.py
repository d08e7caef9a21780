"""Starts real xtraderd processes on free ports for the integration tests."""
import http.client
from decimal import Decimal
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

import pytest

BIN = os.environ.get("XTRADER_BIN", "build/release/src/app/xtraderd")
CONFIG = os.environ.get("XTRADER_TEST_CONFIG", "config/xtrader.toml")

ALICE = "demo-alice-3f9c2a"
BOB = "demo-bob-7d41e8"
CAROL = "demo-carol-b2e6f0"
ADMIN = "xtrader-admin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive HTTP connection; JSON in and out."""

    def __init__(self, port, key=None):
        self.port = port
        self.key = key
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method, path, body=None, headers=None, raw=None):
        h = {}
        if self.key:
            h["X-API-Key"] = self.key
        if body is not None:
            raw = json.dumps(body)
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        try:
            self.conn.request(method, path, body=raw, headers=h)
            res = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise
        data = res.read()
        ctype = res.getheader("Content-Type", "")
        parsed = json.loads(data, parse_float=Decimal) if ctype.startswith("application/json") and data else data
        return res.status, parsed, res

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def get_within_rate(self, path, patience=60):
        """GET that waits out the key's rate limit as told (429, Retry-After), as a client
        reading back hundreds of orders in a row must; past `patience` seconds the 429 is the
        answer (a limit that never lifts fails the test instead of hanging it)."""
        deadline = time.monotonic() + patience
        while True:
            status, body, res = self.get(path)
            if status != 429 or time.monotonic() > deadline:
                return status, body, res
            time.sleep(float(res.getheader("Retry-After")))

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def order(self, symbol="BTC-KRW", side="Buy", order_type="Limit", price=None, quantity="0.01", **extra):
        body = {"symbol": symbol, "side": side, "order_type": order_type, "quantity": quantity}
        if price is not None:
            body["price"] = price
        body.update(extra)
        return self.post("/v1/order", body)

    def balances(self):
        status, body, _ = self.get("/v1/account/balances")
        assert status == 200, body
        return {b["asset"]: (b["available"], b["held"]) for b in body["balances"]}


# Built with AddressSanitizer (the test command's second pass)?
SANITIZED = os.path.exists(BIN) and b"libasan" in subprocess.run(["ldd", BIN], capture_output=True).stdout


class Daemon:
    def __init__(self, data_dir, *flags, env=None):
        self.data_dir = data_dir
        self.flags = list(flags)
        self.env = None if env is None else {**os.environ, **env}
        self.proc = None
        self.port = None
        self.ws_port = None
        self.output = []

    def start(self):
        cmd = [BIN, "--config", CONFIG, "--data-dir", self.data_dir, "--http-port", "0", "--ws-port", "0",
               "--host", "127.0.0.1", "--web-root", os.path.join(self.data_dir, "web"),
               "--log-level", "warn", "--rate-limit", "0", "--admin-token", ADMIN,
               "--auth-failures", "0", *self.flags]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=self.env)
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.output.append(line)
            m = re.search(r"REST on http://localhost:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
            m = re.search(r"WebSocket on ws://localhost:(\d+)/", line)
            if m:
                self.ws_port = int(m.group(1))
                break
            if "WebSocket served by the ws-gateway processes" in line:
                break
        assert self.port and (self.ws_port or "--ws-gateways" in self.flags), \
            "xtraderd did not start:\n" + "".join(self.output)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                if Client(self.port).get("/ready")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("xtraderd never became ready")

    def client(self, key=None):
        return Client(self.port, key)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout)
        rest = self.proc.stdout.read() if self.proc and self.proc.stdout else ""
        self.output.append(rest or "")
        return self.proc.returncode


@pytest.fixture
def data_dir():
    with tempfile.TemporaryDirectory(prefix="xtrader-it-") as d:
        yield d


@pytest.fixture
def daemon(data_dir):
    d = Daemon(data_dir).start()
    yield d
    d.stop()


