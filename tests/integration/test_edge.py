"""The network edge under attack (docs/SECURITY.md): each test plays a hostile or careless client
against a real daemon and then checks that the daemon is alive, unchanged and answering."""
import json
import os
import socket
import struct
import threading
import time

import pytest

from conftest import ALICE, BOB, SANITIZED, Daemon
from load import PRICE, QUANTITY, fund, read_response
from wsclient import Closed, WsClient


def raw_http(port, request, timeout=5):
    """Sends bytes as they are; returns (status, headers, body) of the answer, or None."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
                head, sep, body = data.partition(b"\r\n\r\n")
                if sep and b"content-length:" in head.lower():
                    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                    if len(body) >= length:
                        break
        except socket.timeout:
            pass
    if not data:
        return None
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower().decode(): v.strip().decode()
               for k, _, v in (line.partition(b":") for line in lines[1:])}
    return status, headers, body


def get(port, target, extra=b""):
    return raw_http(port, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                    extra + b"\r\n")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def assert_serving(d):
    """Alive, and the book and balances answer as before."""
    assert d.proc.poll() is None, "".join(d.output)
    assert d.client().get("/health")[0] == 200
    assert d.client(ALICE).get("/v1/account/balances")[0] == 200


@pytest.fixture
def web_daemon(data_dir):
    web = os.path.join(data_dir, "web")
    os.makedirs(os.path.join(web, "assets"))
    with open(os.path.join(web, "index.html"), "w") as f:
        f.write("<!doctype html><title>HTS</title>")
    with open(os.path.join(web, "assets", "app.js"), "w") as f:
        f.write("console.log('hts')")
    # A symbolic link out of the root and a named pipe inside it: neither may be served.
    os.symlink("/etc/passwd", os.path.join(web, "passwd"))
    os.symlink("/etc", os.path.join(web, "etc"))
    os.mkfifo(os.path.join(web, "pipe"))
    d = Daemon(data_dir).start()
    yield d
    d.stop()


@pytest.mark.parametrize("target", [
    b"//etc/passwd", b"/%2Fetc/passwd", b"/%2fetc%2fpasswd", b"//dev/zero", b"/../../etc/passwd",
    b"/..%2F..%2Fetc%2Fpasswd", b"/%2e%2e/%2e%2e/etc/passwd", b"/assets/..%5c..%5cetc/passwd",
    b"/passwd", b"/etc/passwd", b"/etc/", b"/pipe", b"/app.js%00.html", b"/" + b"a" * 300,
    b"/" + b"a/" * 600 + b"x.js", b"/%zz", b"/assets/%", b"//", b"/./index.html",
    b"/config/xtrader.toml", b"/xtrader.toml", b"/data/trades.sqlite",
])
def test_no_path_reaches_outside_the_web_root(web_daemon, target):
    status, _, body = get(web_daemon.port, target)
    # 404, or for a path without an extension the single-page app's own index.html.
    if status == 200:
        assert body == b"<!doctype html><title>HTS</title>"
    else:
        assert status == 404, body
        json.loads(body)  # the error body is valid JSON (and so valid UTF-8)
    assert_serving(web_daemon)


def test_the_web_root_still_serves_its_own_files(web_daemon):
    assert get(web_daemon.port, b"/")[2] == b"<!doctype html><title>HTS</title>"
    assert get(web_daemon.port, b"/assets/app.js")[2] == b"console.log('hts')"
    assert get(web_daemon.port, b"/markets/BTC-KRW")[0] == 200  # the single-page app's route


def test_dev_zero_does_not_grow_the_process(web_daemon):
    before = rss_kib(web_daemon.proc.pid)
    for _ in range(20):
        assert get(web_daemon.port, b"//dev/zero")[0] == 404
    assert rss_kib(web_daemon.proc.pid) - before < 20_000


def test_a_websocket_message_of_the_wrong_type_is_an_error_not_a_crash(daemon):
    ws = WsClient(daemon.ws_port)
    try:
        for message in ({"op": "auth", "api_key": 123}, {"op": "auth", "api_key": None},
                        {"op": "auth"}, {"op": "auth", "api_key": ["x"]}, {"op": 5},
                        {"op": "subscribe", "channels": "ticker:BTC-KRW"},
                        {"op": "subscribe", "channels": [1, None, {"a": 1}]},
                        {"op": "subscribe", "channels": ["x"] * 100}, [1, 2], "text", 17):
            ws.send(message)
            ws.send({"op": "ping"})
            answers = []
            while (answer := ws.recv())["type"] != "Pong":
                answers.append(answer)
            assert answers and all(a["type"] == "Error" for a in answers), (message, answers)
    finally:
        ws.close()
    assert_serving(daemon)


def test_a_websocket_message_of_invalid_utf8_is_answered(daemon):
    ws = WsClient(daemon.ws_port)
    try:
        ws._send_frame(0x1, b'{"op":"subscribe","channels":["\xff\xfe"]}')
        # Beast closes a text frame that is not UTF-8 (RFC 6455 8.1) with 1007.
        with pytest.raises((Closed, ConnectionError)):
            ws.recv()
    finally:
        ws.close()
    assert_serving(daemon)


# Under ASan, freed memory waits in a quarantine (256 MiB by default) before it is reused, which
# RSS would count: it is turned off for the tests that measure memory.
NO_QUARANTINE = {"ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=0"}


def test_clients_that_never_read_hold_bounded_memory_and_are_closed(data_dir):
    d = Daemon(data_dir, "--ws-send-queue-bytes", "262144", env=NO_QUARANTINE).start()
    try:
        before = rss_kib(d.proc.pid)
        socks = []
        subscribe = json.dumps({"op": "subscribe", "channels": ["orderbook:BTC-KRW", "ticker:BTC-KRW"]})
        frame = masked_frame(subscribe.encode())
        # A deep book, so that every snapshot is large.
        alice = d.client(ALICE)
        for i in range(300):
            alice.order(side="Buy", price=str(40_000_000 + i * 1000), quantity="0.001")

        def flood(sock):
            try:
                for _ in range(5000):
                    sock.sendall(frame)
            except OSError:
                pass  # the server stopped reading, then closed us: what it should do
        for _ in range(10):
            c = WsClient(d.ws_port, recv_buffer=4096)
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
            c.sock.settimeout(20)
            socks.append(c)
        threads = [threading.Thread(target=flood, args=(c.sock,)) for c in socks]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        grown = rss_kib(d.proc.pid) - before
        # 10 clients x 256 KiB of queue, plus the kernel's and the parser's buffers.
        assert grown < 60_000, f"grew by {grown} KiB"
        assert_serving(d)
        for c in socks:
            c.sock.close()
        metrics = d.client().get("/metrics")[1].decode()
        assert "xtrader_edge_events_total" in metrics
    finally:
        d.stop()


def masked_frame(payload, opcode=0x1):
    mask = b"\x01\x02\x03\x04"
    n = len(payload)
    header = bytes([0x80 | opcode])
    header += bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack("!H", n)
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def edge_count(d, event):
    metrics = d.client().get("/metrics")[1].decode()
    return int([l for l in metrics.splitlines() if f'event="{event}"' in l][0].split()[-1])


def read_until_closed(client, seconds):
    """Reads whatever was queued; returns the close code, "cut" for a dropped connection."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            client.recv()
        except Closed as closed:
            return closed.code
        except (ConnectionError, OSError):
            return "cut"
    return None


def flood_without_reading(port, count):
    c = WsClient(port, recv_buffer=4096)
    c.sock.settimeout(5)
    frame = masked_frame(json.dumps({"op": "subscribe", "channels": ["orderbook:BTC-KRW"]}).encode())
    try:
        for _ in range(count):
            c.sock.sendall(frame)
    except OSError:
        pass  # the server stopped reading us: what it should do
    return c


def test_a_client_that_never_reads_is_closed_1008_once_market_data_fills_its_queue(data_dir):
    d = Daemon(data_dir, "--ws-send-queue-bytes", "131072").start()
    try:
        alice = d.client(ALICE)
        for i in range(200):
            alice.order(side="Buy", price=str(40_000_000 + i * 1000), quantity="0.001")
        c = flood_without_reading(d.ws_port, 2000)
        # The book keeps changing: its deltas fill the queue the client does not read.
        deadline = time.time() + 30
        i = 0
        while edge_count(d, "ws_slow_closed") == 0 and time.time() < deadline:
            alice.order(side="Buy", price=str(30_000_000 + i * 1000), quantity="0.001")
            i += 1
        assert edge_count(d, "ws_slow_closed") == 1
        assert read_until_closed(c, 30) in (1008, "cut")
        assert_serving(d)
    finally:
        d.stop()


def test_a_client_that_never_reads_on_a_quiet_market_is_dropped_at_the_idle_timeout(data_dir):
    d = Daemon(data_dir, "--ws-send-queue-bytes", "131072", "--ws-idle-timeout", "2").start()
    try:
        alice = d.client(ALICE)
        for i in range(200):
            alice.order(side="Buy", price=str(40_000_000 + i * 1000), quantity="0.001")
        c = flood_without_reading(d.ws_port, 2000)
        time.sleep(8)  # a few idle timeouts: the pings go unanswered
        assert read_until_closed(c, 30) is not None
        assert_serving(d)
    finally:
        d.stop()


def test_connections_over_the_limit_get_503_and_the_daemon_goes_on(data_dir):
    d = Daemon(data_dir, "--max-connections", "20").start()
    try:
        held = [socket.create_connection(("127.0.0.1", d.port)) for _ in range(20)]
        # Once the daemon has accepted all 20 (a busy machine may take a moment), the next is
        # refused; until then it is served and closed, and the count is back where it was.
        deadline = time.monotonic() + 10
        while True:
            answer = raw_http(d.port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            if answer is not None and answer[0] == 503 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert answer is not None and answer[0] == 503, answer
        for s in held:
            s.close()
        time.sleep(0.3)
        assert_serving(d)
    finally:
        d.stop()


@pytest.mark.skipif(SANITIZED, reason="UBSan checks memory through a pipe of its own: out of "
                                      "descriptors it reports false errors (the release pass runs this)")
def test_out_of_descriptors_the_daemon_backs_off_and_recovers(data_dir):
    # prlimit lowers the daemon's own descriptor limit so that it runs out.
    d = Daemon(data_dir).start()
    try:
        import resource
        pid = d.proc.pid
        used = len(os.listdir(f"/proc/{pid}/fd"))
        soft, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (used + 8, hard))
        held = []
        for _ in range(40):
            try:
                held.append(socket.create_connection(("127.0.0.1", d.port), timeout=2))
            except OSError:
                break
        time.sleep(1.0)
        cpu_before = cpu_seconds(pid)
        time.sleep(1.0)
        # Backing off, not spinning: well under a core while connections wait in the backlog.
        assert cpu_seconds(pid) - cpu_before < 0.5
        for s in held:
            s.close()
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))
        time.sleep(0.3)
        assert_serving(d)
        assert edge_count(d, "accept_backoff") > 0
    finally:
        d.stop()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.parametrize("request_bytes,status", [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET /health HTTP/1.1\r\n\r\n", 400),                     # HTTP/1.1 without Host
    (b"GET /health HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 20000 + b"\r\n\r\n", 431),
    (b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n", 400),
    (b"POST /v1/order HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n", 413),
])
def test_malformed_requests_are_answered_with_an_error_body(daemon, request_bytes, status):
    answer = raw_http(daemon.port, request_bytes)
    assert answer is not None, "closed without an answer"
    assert answer[0] == status
    assert "error" in json.loads(answer[2])
    assert_serving(daemon)


def buy(client_order_id, extra=b""):
    body = json.dumps({"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit", "price": PRICE,
                       "quantity": QUANTITY, "client_order_id": client_order_id}).encode()
    return (b"POST /v1/order HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-API-Key: " +
            BOB.encode() + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n" + extra +
            b"\r\n" + body)


HEALTH = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"


def pipelined(port, requests):
    """Sends every request in one write; returns the answers [(status, body)] that came before
    the daemon closed the connection (or all of them)."""
    answers = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"".join(requests))
        reader = s.makefile("rb")
        while len(answers) < len(requests):
            try:
                answers.append(read_response(reader))
            except ConnectionError:
                break
    return answers


def placed(d, client_order_id):
    return d.client(BOB).get("/v1/order?client_order_id=" + client_order_id)[0] == 200


def test_pipelined_requests_are_answered_in_order(daemon):
    fund(daemon.port, 100)
    # More than the 16 a connection may have in the exchange at once.
    requests = [buy(f"pipe-{i}") if i % 3 else HEALTH for i in range(60)]
    answers = pipelined(daemon.port, requests)
    assert [status for status, _ in answers] == [200] * 60
    for i, (_, body) in enumerate(answers):
        if i % 3:
            assert json.loads(body)["client_order_id"] == f"pipe-{i}"
        else:
            assert json.loads(body)["status"] == "ok"


@pytest.mark.parametrize("ending", [b"GET /health HTTP/1.1\r\n\r\n", buy("last", b"Connection: close\r\n")])
def test_nothing_pipelined_after_a_request_that_ends_the_connection_is_handled(daemon, ending):
    # A request without Host (400, closes) or with Connection: close: what was sent before it is
    # answered, it is answered, and what follows it is neither handled nor answered.
    fund(daemon.port, 100)
    answers = pipelined(daemon.port, [buy("before"), ending, buy("after")])
    assert [status for status, _ in answers] == [200, 400 if ending.startswith(b"GET") else 200]
    assert placed(daemon, "before") and not placed(daemon, "after")
    assert_serving(daemon)


def test_a_client_that_pipelines_and_hangs_up_leaves_the_daemon_serving(daemon):
    # Answers due to a connection that is gone: written into a closed socket, or never.
    fund(daemon.port, 1000)
    for _ in range(5):
        with socket.create_connection(("127.0.0.1", daemon.port)) as s:
            s.sendall(b"".join(buy(f"gone-{i}") for i in range(200)))
    time.sleep(0.5)
    assert_serving(daemon)


def test_405_names_the_allowed_methods_and_the_absolute_form_routes(daemon):
    status, headers, _ = raw_http(daemon.port, b"PUT /health HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                                                b"Connection: close\r\n\r\n")
    assert status == 405 and headers["allow"] == "GET, HEAD"
    status, headers, _ = raw_http(daemon.port, b"PUT /v1/order HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                                                b"Connection: close\r\n\r\n")
    assert status == 405 and headers["allow"] == "GET, HEAD, POST"
    status, _, body = get(daemon.port, b"http://example.com/health")
    assert status == 200 and json.loads(body) == {"status": "ok"}


def test_error_bodies_are_valid_utf8_whatever_the_path(daemon):
    status, _, body = get(daemon.port, b"/v1/\xff\xfe\xc0\xaf")
    assert status == 404
    body.decode("utf-8")  # strict
    assert json.loads(body)["error"]["code"] == "not_found"


def test_client_order_ids_of_two_accounts_never_stand_for_each_other(daemon):
    alice, bob = daemon.client(ALICE), daemon.client(BOB)
    # These two collided under the old 64-bit key (FNV-1a seeded with the account id).
    s, a, _ = alice.order(side="Buy", price="40000000", quantity="0.01", client_order_id="a-secret-1")
    assert s == 200 and a["status"] == "Pending"
    s, b, _ = bob.order(side="Buy", price="41000000", quantity="0.02", client_order_id="b-secret-1")
    assert s == 200 and b["order_id"] != a["order_id"] and b["price"] == 41000000
    # Bob's id text equal to Alice's is his own order, not hers.
    s, b2, _ = bob.order(side="Buy", price="42000000", quantity="0.03", client_order_id="a-secret-1")
    assert s == 200 and b2["order_id"] not in (a["order_id"], b["order_id"])
    # Alice's retry is answered with her own order.
    s, again, _ = alice.order(side="Buy", price="40000000", quantity="0.01", client_order_id="a-secret-1")
    assert s == 200 and again["order_id"] == a["order_id"]
    assert bob.get(f"/v1/order/{a['order_id']}")[0] == 403


def test_without_a_configured_token_one_is_made_shown_once_and_kept_private(data_dir):
    d = Daemon(data_dir, "--admin-token", "").start()
    try:
        printed = "".join(d.output)
        path = os.path.join(data_dir, "admin_token")
        with open(path) as f:
            token = f.read().strip()
        assert token.startswith("xta_") and len(token) >= 40 and token in printed
        assert os.stat(path).st_mode & 0o777 == 0o600
        c = d.client()
        deposit = {"account_id": 1, "asset": "KRW", "amount": "1"}
        for wrong in ("xtrader-admin", "", token + "x"):
            assert c.post("/v1/admin/deposit", deposit, headers={"X-Admin-Token": wrong})[0] == 401
        assert c.post("/v1/admin/deposit", deposit, headers={"X-Admin-Token": token})[0] == 200
    finally:
        d.stop()
    again = Daemon(data_dir, "--admin-token", "").start()
    try:
        assert token not in "".join(again.output)  # shown once
        deposit = {"account_id": 1, "asset": "KRW", "amount": "1"}
        assert again.client().post("/v1/admin/deposit", deposit, headers={"X-Admin-Token": token})[0] == 200
    finally:
        again.stop()


def test_admin_routes_can_be_closed_entirely(data_dir):
    d = Daemon(data_dir, "--admin-routes", "false").start()
    try:
        status, body, _ = d.client().post("/v1/admin/deposit", {"account_id": 1, "asset": "KRW", "amount": "1"},
                                          headers={"X-Admin-Token": "xtrader-admin"})
        assert status == 401
        assert d.client().get("/v1/admin/accounts", headers={"X-Admin-Token": "xtrader-admin"})[0] == 401
    finally:
        d.stop()


def test_failed_authentications_are_limited_per_address(data_dir):
    d = Daemon(data_dir, "--auth-failures", "5").start()
    try:
        for _ in range(5):
            assert d.client("wrong-key-000000").get("/v1/account/balances")[0] == 401
        # Over the budget: refused even with the right key, on REST and WebSocket alike.
        status, body, res = d.client(ALICE).get("/v1/account/balances")
        assert status == 429 and body["error"]["code"] == "auth_throttled" and res.getheader("Retry-After")
        assert d.client().post("/v1/admin/deposit", {"account_id": 1, "asset": "KRW", "amount": "1"},
                               headers={"X-Admin-Token": "xtrader-admin"})[0] == 429
        ws = WsClient(d.ws_port)
        try:
            ws.send({"op": "auth", "api_key": ALICE})
            assert ws.recv()["code"] == "auth_throttled"
        finally:
            ws.close()
        assert edge_count(d, "auth_throttled") >= 3
        assert d.client().get("/health")[0] == 200  # public routes are not affected
    finally:
        d.stop()


ADMIN_HEADERS = {"X-Admin-Token": "xtrader-admin"}


def test_admin_creates_accounts_and_issues_read_only_and_trading_keys_and_revokes_them(data_dir):
    d = Daemon(data_dir).start()
    try:
        c = d.client()
        status, created, _ = c.post("/v1/admin/accounts", {"name": "dave"}, headers=ADMIN_HEADERS)
        assert status == 201 and created["scope"] == "trading" and created["api_key"].startswith("xt_")
        dave = created["account_id"]
        assert dave > 4
        status, _, _ = c.post("/v1/admin/deposit", {"account_id": dave, "asset": "KRW", "amount": "1000000000"},
                              headers=ADMIN_HEADERS)
        assert status == 200
        trader = d.client(created["api_key"])
        s, order, _ = trader.order(side="Buy", price="40000000", quantity="0.01")
        assert s == 200 and order["status"] == "Pending"
        status, reader_key, _ = c.post(f"/v1/admin/accounts/{dave}/keys", {"scope": "read_only"},
                                       headers=ADMIN_HEADERS)
        assert status == 201 and reader_key["scope"] == "read_only"
        reader = d.client(reader_key["api_key"])
        assert reader.get("/v1/account/balances")[0] == 200
        assert reader.get(f"/v1/order/{order['order_id']}")[0] == 200
        s, body, _ = reader.order(side="Buy", price="40000000", quantity="0.01")
        assert s == 403 and body["error"]["code"] == "read_only_key"
        assert reader.request("DELETE", f"/v1/order/{order['order_id']}")[0] == 403
        # The listing names keys by id and scope; no secret appears in it or on disk.
        status, listing, _ = c.get("/v1/admin/accounts", headers=ADMIN_HEADERS)
        assert status == 200
        mine = [a for a in listing["accounts"] if a["account_id"] == dave][0]
        assert {k["scope"] for k in mine["keys"]} == {"trading", "read_only"}
        raw = json.dumps(listing)
        keys_file = os.path.join(data_dir, "keys.json")
        with open(keys_file) as f:
            stored = f.read()
        for secret in (created["api_key"], reader_key["api_key"], ALICE):
            assert secret not in raw and secret not in stored
        assert os.stat(keys_file).st_mode & 0o777 == 0o600
        status, _, _ = c.request("DELETE", f"/v1/admin/keys/{reader_key['key_id']}", headers=ADMIN_HEADERS)
        assert status == 200
        assert reader.get("/v1/account/balances")[0] == 401
        assert c.request("DELETE", f"/v1/admin/keys/{reader_key['key_id']}", headers=ADMIN_HEADERS)[0] == 404
        assert c.post("/v1/admin/accounts/99999/keys", {}, headers=ADMIN_HEADERS)[0] == 404
        assert c.post("/v1/admin/accounts", {"name": ""}, headers=ADMIN_HEADERS)[0] == 400
        assert c.post("/v1/admin/accounts", {"name": "x"})[0] == 401
    finally:
        d.stop()
    # Issued keys and revocations survive a restart.
    again = Daemon(data_dir).start()
    try:
        assert again.client(created["api_key"]).get("/v1/account/balances")[0] == 200
        assert again.client(reader_key["api_key"]).get("/v1/account/balances")[0] == 401
    finally:
        again.stop()


def test_a_configured_key_digest_authenticates_and_plain_demo_keys_warn_off_loopback(data_dir):
    import hashlib
    secret = "a-long-operator-secret-1234"
    config = os.path.join(data_dir, "digest.toml")
    with open(config, "w") as f:
        f.write(f'include = "{os.path.abspath("config/xtrader.toml")}"\n'
                f'[[accounts]]\nid = 9\nname = "ops"\napi_key_sha256 = "{hashlib.sha256(secret.encode()).hexdigest()}"\n'
                f'scope = "read_only"\n')
    d = Daemon(data_dir, "--config", config).start()
    try:
        assert d.client(secret).get("/v1/account/balances")[0] == 200
        assert d.client(secret).order(side="Buy", price="40000000")[0] == 403
        assert d.client(hashlib.sha256(secret.encode()).hexdigest()).get("/v1/account/balances")[0] == 401
        assert "not a loopback address" not in "".join(d.output)
    finally:
        d.stop()
    off_loopback = Daemon(data_dir, "--host", "0.0.0.0").start()
    try:
        time.sleep(0.2)
    finally:
        off_loopback.stop()
    assert "not a loopback address" in "".join(off_loopback.output)


def test_sigterm_with_subscribed_websocket_clients_exits_cleanly(data_dir):
    # The sessions still open at shutdown are destroyed with the io_context, after the server:
    # each unregisters from the hub as it goes, which must still be there.
    d = Daemon(data_dir).start()
    clients = []
    for _ in range(5):
        c = WsClient(d.ws_port)
        c.send({"op": "subscribe", "channels": ["ticker:BTC-KRW", "orderbook:BTC-KRW"]})
        c.recv()
        clients.append(c)
    assert d.stop() == 0, "".join(d.output)
    for c in clients:
        c.sock.close()
