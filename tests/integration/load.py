"""Order load over pipelined keep-alive connections: many requests in flight per socket, so a
Python client can drive the daemon at tens of thousands of orders a second."""
import json
import socket
import threading
import time

from conftest import ADMIN, Client

ALICE_ID, BOB_ID = 1, 2
PRICE = "1000000"    # KRW; a multiple of BTC-KRW's tick
QUANTITY = "0.001"   # BTC; the market's lot and minimum


def _request(key, body):
    data = json.dumps(body).encode()
    return (b"POST /v1/order HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"X-API-Key: " + key.encode() + b"\r\nContent-Length: " + str(len(data)).encode() +
            b"\r\n\r\n" + data)


def read_response(reader):
    status_line = reader.readline()
    if not status_line:
        raise ConnectionError("the daemon closed the connection")
    length = 0
    while True:
        line = reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    body = reader.read(length)
    return int(status_line.split()[1]), body


def fund(port, pairs):
    """Credits alice with the BTC and bob with the KRW that `pairs` crossing pairs need."""
    admin = Client(port)
    for account, asset, amount in ((ALICE_ID, "BTC", pairs * 0.001 + 1),
                                   (BOB_ID, "KRW", pairs * 1000 * 1.001 + 1000)):
        status, body, _ = admin.post("/v1/admin/deposit",
                                     {"account_id": account, "asset": asset, "amount": f"{amount:.4f}"},
                                     headers={"X-Admin-Token": ADMIN})
        assert status == 200, body


def crossing_pairs(port, pairs, alice, bob, connections=4, depth=200, stop=None, rate=None):
    """Sends `pairs` sell-then-buy pairs at one price (or until `stop` is set), at most `rate`
    pairs a second if given: exactly one execution per pair that got two 200s. Returns the buys
    that filled and every status seen."""
    statuses = {}
    fills = [0]
    lock = threading.Lock()

    def worker(n):
        sock = socket.create_connection(("127.0.0.1", port))
        reader = sock.makefile("rb")
        sell = _request(alice, {"symbol": "BTC-KRW", "side": "Sell", "order_type": "Limit",
                                "price": PRICE, "quantity": QUANTITY})
        buy = _request(bob, {"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit",
                             "price": PRICE, "quantity": QUANTITY})
        left = n
        start, sent = time.monotonic(), 0
        while left > 0 and not (stop and stop.is_set()):
            if rate:
                ahead = sent / (rate / connections) - (time.monotonic() - start)
                if ahead > 0:
                    time.sleep(ahead)
            batch = min(depth, left)
            sock.sendall((sell + buy) * batch)
            seen = {}
            filled = 0
            for i in range(2 * batch):
                status, body = read_response(reader)
                seen[status] = seen.get(status, 0) + 1
                if i % 2 == 1 and status == 200 and b'"status":"Filled"' in body:
                    filled += 1
            with lock:
                for s, c in seen.items():
                    statuses[s] = statuses.get(s, 0) + c
                fills[0] += filled
            left -= batch
            sent += batch
        sock.close()

    share = [pairs // connections + (1 if i < pairs % connections else 0) for i in range(connections)]
    threads = [threading.Thread(target=worker, args=(n,)) for n in share if n]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return fills[0], statuses
