"""The trading features against a real xtraderd: amend, cancel-all, stop orders, price bands,
halts, cancel-on-disconnect, over REST and the WebSocket and across a restart."""
import time
from decimal import Decimal as D

from conftest import ADMIN, ALICE, BOB, CAROL, Daemon
from services import wait_until
from wsclient import WsClient


def patch(client, order_id, body):
    return client.request("PATCH", f"/v1/order/{order_id}", body)


def admin_market(daemon, symbol, action, key=ADMIN):
    return daemon.client().post(f"/v1/admin/markets/{symbol}/{action}", {},
                                headers={"X-Admin-Token": key})


def market_status(daemon, symbol):
    _, body, _ = daemon.client().get("/api/v1/markets")
    return next(m for m in body["markets"] if m["symbol"] == symbol)


def test_amend_keeps_priority_when_smaller_and_loses_it_otherwise(daemon):
    alice, bob, carol = daemon.client(ALICE), daemon.client(BOB), daemon.client(CAROL)
    _, first, _ = alice.order(side="Sell", price="50000000", quantity="0.5")
    _, second, _ = bob.order(side="Sell", price="50000000", quantity="0.5")
    held = alice.balances()["BTC"][1]
    # Smaller: alice stays first in the queue and gets 0.2 BTC back.
    status, amended, _ = patch(alice, first["order_id"], {"quantity": "0.3"})
    assert status == 200, amended
    assert amended["quantity"] == D("0.3") and amended["remaining_quantity"] == D("0.3")
    assert alice.balances()["BTC"][1] == held - D("0.2")
    _, taker, _ = carol.order(side="Buy", price="50000000", quantity="0.1", time_in_force="IOC")
    assert taker["status"] == "Filled"
    assert alice.get(f"/v1/order/{first['order_id']}")[1]["filled_quantity"] == D("0.1")
    # Larger: alice goes behind bob.
    assert patch(alice, first["order_id"], {"quantity": "0.6"})[0] == 200
    carol.order(side="Buy", price="50000000", quantity="0.1", time_in_force="IOC")
    assert bob.get(f"/v1/order/{second['order_id']}")[1]["filled_quantity"] == D("0.1")
    assert alice.get(f"/v1/order/{first['order_id']}")[1]["filled_quantity"] == D("0.1")
    # A new price that crosses trades at once, as a taker.
    _, bid, _ = carol.order(side="Buy", price="49000000", quantity="0.2")
    status, moved, _ = patch(carol, bid["order_id"], {"price": "50000000"})
    assert status == 200 and moved["status"] == "Filled" and moved["price"] == 50000000


def test_amend_refusals(daemon):
    alice, bob = daemon.client(ALICE), daemon.client(BOB)
    _, order, _ = alice.order(side="Buy", price="40000000", quantity="0.1")
    oid = order["order_id"]
    assert patch(alice, oid, {})[1]["error"]["code"] == "invalid_amendment"
    assert patch(alice, oid, {"price": "40000500"})[1]["error"]["code"] == "invalid_price"
    assert patch(alice, oid, {"quantity": "0.00001"})[1]["error"]["code"] == "invalid_quantity"
    assert patch(alice, oid, {"side": "Sell"})[1]["error"]["code"] == "unknown_field"
    status, body, _ = patch(alice, oid, {"quantity": "999"})  # 40M x 999 KRW: not covered
    assert status == 402 and body["error"]["code"] == "insufficient_balance"
    assert alice.get(f"/v1/order/{oid}")[1]["quantity"] == D("0.1")
    assert patch(bob, oid, {"price": "41000000"})[0] == 403
    assert patch(alice, "999999", {"price": "41000000"})[0] == 404
    assert alice.request("DELETE", f"/v1/order/{oid}")[0] == 200
    status, body, _ = patch(alice, oid, {"price": "41000000"})
    assert status == 409 and body["error"]["code"] == "order_closed"
    status, _, res = alice.request("PUT", f"/v1/order/{oid}", {})
    assert status == 405 and "PATCH" in res.getheader("Allow")


def test_cancel_all_one_market_or_all(daemon):
    alice, bob = daemon.client(ALICE), daemon.client(BOB)
    ids = [alice.order(side="Buy", price=str(40000000 + i * 1000), quantity="0.01")[1]["order_id"]
           for i in range(3)]
    eth = alice.order(symbol="ETH-KRW", side="Sell", price="9000000", quantity="0.1")[1]["order_id"]
    theirs = bob.order(side="Buy", price="40000000", quantity="0.01")[1]["order_id"]
    status, body, _ = alice.request("DELETE", "/v1/orders?symbol=BTC-KRW")
    assert status == 200 and body["cancelled"] == ids  # oldest first
    assert alice.balances()["KRW"][1] == 0
    status, body, _ = alice.request("DELETE", "/v1/orders")
    assert body["cancelled"] == [eth]
    assert alice.request("DELETE", "/v1/orders")[1]["cancelled"] == []
    assert bob.get(f"/v1/order/{theirs}")[1]["status"] == "Pending"
    assert alice.request("DELETE", "/v1/orders?symbol=DOGE-KRW")[0] == 400
    assert daemon.client().request("DELETE", "/v1/orders")[0] == 401


def test_stop_orders_wait_untriggered_and_fire_on_the_last_trade(data_dir):
    daemon = Daemon(data_dir).start()
    try:
        alice, bob, carol = daemon.client(ALICE), daemon.client(BOB), daemon.client(CAROL)
        alice.order(side="Sell", price="50000000", quantity="0.1")
        bob.order(side="Buy", price="50000000", quantity="0.1")  # last trade 50,000,000
        alice.order(side="Sell", price="51000000", quantity="1")
        krw = carol.balances()["KRW"]
        status, stop, _ = carol.order(order_type="StopLimit", side="Buy", price="51000000",
                                      stop_price="50500000", quantity="0.2")
        assert status == 200, stop
        assert stop["status"] == "Untriggered" and stop["stop_price"] == 50500000
        assert carol.balances()["KRW"][1] == krw[1] + D("10205100")  # 0.2 x 51M + 0.05 %
        _, market_stop, _ = carol.order(order_type="StopMarket", side="Sell", stop_price="49000000",
                                        quantity="0.1")
        assert market_stop["price"] is None and market_stop["status"] == "Untriggered"
        listed = carol.get("/v1/orders?status=open")[1]["orders"]
        assert {o["order_id"]: o["status"] for o in listed} == {
            stop["order_id"]: "Untriggered", market_stop["order_id"]: "Untriggered"}
        # Both survive a restart as they were.
        daemon.stop()
        daemon = Daemon(data_dir).start()
        alice, bob, carol = daemon.client(ALICE), daemon.client(BOB), daemon.client(CAROL)
        assert carol.get(f"/v1/order/{stop['order_id']}")[1]["status"] == "Untriggered"
        # A trade at 51,000,000 reaches the buy stop: it buys at 51,000,000 in the same command.
        _, taker, _ = bob.order(side="Buy", price="51000000", quantity="0.1")
        assert taker["status"] == "Filled"
        triggered = carol.get(f"/v1/order/{stop['order_id']}")[1]
        assert triggered["status"] == "Filled" and triggered["filled_quantity"] == D("0.2")
        # The stop-market sell is cancelled and gives its BTC back.
        assert carol.request("DELETE", f"/v1/order/{market_stop['order_id']}")[0] == 200
        assert carol.balances()["BTC"][1] == 0
        # Refusals.
        bad = carol.order(order_type="StopLimit", side="Buy", price="51000000", quantity="0.1")
        assert bad[0] == 400 and bad[1]["error"]["code"] == "invalid_stop_price"
        bad = carol.order(side="Buy", price="51000000", stop_price="50000000", quantity="0.1")
        assert bad[0] == 400 and bad[1]["error"]["code"] == "invalid_stop_price"
        bad = carol.order(order_type="StopMarket", side="Buy", price="51000000",
                          stop_price="52000000", quantity="0.1")
        assert bad[0] == 400 and bad[1]["error"]["code"] == "invalid_price"
    finally:
        daemon.stop()


def test_price_band_refuses_prices_far_from_the_last_trade(daemon):
    alice, bob = daemon.client(ALICE), daemon.client(BOB)
    band = market_status(daemon, "BTC-KRW")["price_band"]
    assert band is not None and D(0) < band < 1
    # Before the first trade every price is in band.
    assert alice.order(side="Sell", price="50000000", quantity="0.01")[0] == 200
    assert bob.order(side="Buy", price="50000000", quantity="0.01")[0] == 200
    far = int(50000000 * (1 + band)) // 1000 * 1000 + 1000
    status, body, _ = bob.order(side="Buy", price=str(far), quantity="0.01")
    assert status == 400 and body["error"]["code"] == "price_out_of_band"
    near = int(50000000 * (1 - band)) // 1000 * 1000 + 1000
    status, order, _ = bob.order(side="Buy", price=str(near), quantity="0.01")
    assert status == 200
    status, body, _ = patch(bob, order["order_id"], {"price": str(far)})
    assert status == 400 and body["error"]["code"] == "price_out_of_band"


def test_a_halted_market_refuses_orders_takes_cancels_and_stays_halted(data_dir):
    daemon = Daemon(data_dir).start()
    try:
        alice = daemon.client(ALICE)
        _, resting, _ = alice.order(side="Buy", price="40000000", quantity="0.01")
        assert admin_market(daemon, "BTC-KRW", "halt", key="wrong")[0] == 401
        assert admin_market(daemon, "DOGE-KRW", "halt")[0] == 404
        status, body, _ = admin_market(daemon, "BTC-KRW", "halt")
        assert status == 200 and body["status"] == "halted"
        assert market_status(daemon, "BTC-KRW")["status"] == "halted"
        assert market_status(daemon, "ETH-KRW")["status"] == "trading"
        status, body, _ = alice.order(side="Buy", price="40000000", quantity="0.01")
        assert status == 409 and body["error"]["code"] == "market_halted"
        assert patch(alice, resting["order_id"], {"price": "41000000"})[1]["error"]["code"] == \
            "market_halted"
        assert alice.order(symbol="ETH-KRW", side="Buy", price="1000000", quantity="0.01")[0] == 200
        # Journaled: a restart keeps the halt.
        daemon.stop()
        daemon = Daemon(data_dir).start()
        alice = daemon.client(ALICE)
        assert market_status(daemon, "BTC-KRW")["status"] == "halted"
        assert alice.request("DELETE", f"/v1/order/{resting['order_id']}")[0] == 200
        assert admin_market(daemon, "BTC-KRW", "resume")[1]["status"] == "trading"
        assert alice.order(side="Buy", price="40000000", quantity="0.01")[0] == 200
        assert market_status(daemon, "BTC-KRW")["status"] == "trading"
    finally:
        daemon.stop()


def test_cancel_on_disconnect_cancels_the_accounts_orders_when_that_connection_drops(daemon):
    alice = daemon.client(ALICE)
    ids = [alice.order(side="Buy", price=str(40000000 + i * 1000), quantity="0.01")[1]["order_id"]
           for i in range(2)]
    ids.append(alice.order(order_type="StopMarket", side="Sell", stop_price="30000000",
                           quantity="0.01")[1]["order_id"])
    plain = WsClient(daemon.ws_port)
    plain.send({"op": "auth", "api_key": ALICE})
    assert plain.recv() == {"type": "Authenticated"}
    guarded = WsClient(daemon.ws_port)
    guarded.send({"op": "auth", "api_key": ALICE, "cancel_on_disconnect": "yes"})
    assert guarded.recv()["code"] == "bad_request"
    guarded.send({"op": "auth", "api_key": ALICE, "cancel_on_disconnect": True})
    assert guarded.recv() == {"type": "Authenticated", "cancel_on_disconnect": True}
    # A connection without the flag leaves the orders alone.
    plain.close()
    time.sleep(0.5)
    assert all(alice.get(f"/v1/order/{i}")[1]["status"] in ("Pending", "Untriggered") for i in ids)
    # The guarded one drops without a close frame: every open order goes, stop orders included.
    guarded.sock.close()
    wait_until(lambda: all(alice.get(f"/v1/order/{i}")[1]["status"] == "Cancelled" for i in ids),
               10, "the orders cancelled")
    assert alice.balances()["KRW"][1] == 0 and alice.balances()["BTC"][1] == 0


def pages(client, path, key, between=None, limit=2):
    """Every item of a paged list, following `next` until it is null; `between` runs between
    pages (trading goes on meanwhile)."""
    items, cursor = [], None
    while True:
        sep = "&" if "?" in path else "?"
        target = f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        status, body, _ = client.get(target)
        assert status == 200, body
        items += body[key]
        assert len(body[key]) <= limit
        cursor = body["next"]
        if cursor is None:
            return items
        if between:
            between()


def test_orders_and_executions_page_with_next_cursors_while_trading_goes_on(daemon):
    alice, bob = daemon.client(ALICE), daemon.client(BOB)
    open_ids = [alice.order(side="Buy", price=str(40000000 + i * 1000), quantity="0.01")[1]["order_id"]
                for i in range(3)]
    cancelled = alice.order(side="Buy", price="39000000", quantity="0.01")[1]["order_id"]
    alice.request("DELETE", f"/v1/order/{cancelled}")
    filled = []
    for i in range(3):
        filled.append(alice.order(side="Sell", price="50000000", quantity="0.01")[1]["order_id"])
        bob.order(side="Buy", price="50000000", quantity="0.01")
    wait_until(lambda: len(alice.get("/v1/execution?limit=10")[1]["executions"]) == 3, 10,
               "the trade store")
    # New orders and trades between pages are newer than the cursor: not in this listing.
    placed = []

    def trade_meanwhile():
        placed.append(alice.order(side="Sell", price="50000000", quantity="0.001")[1]["order_id"])
        bob.order(side="Buy", price="50000000", quantity="0.001")
        placed.append(alice.order(side="Buy", price="41000000", quantity="0.001")[1]["order_id"])

    ids = [o["order_id"] for o in pages(alice, "/v1/orders?status=all", "orders", trade_meanwhile)]
    # Newest first, each once; what was placed meanwhile has higher ids, after the first page.
    assert placed and not set(placed) & set(ids)
    assert ids == sorted(open_ids + filled + [cancelled], key=int, reverse=True)
    # Executions likewise, against one read of the whole history just before.
    wait_until(lambda: len(alice.get("/v1/execution?limit=100")[1]["executions"]) ==
               3 + len(placed) // 2, 10, "the trade store")
    whole = [e["exec_id"] for e in alice.get("/v1/execution?limit=100")[1]["executions"]]
    paged = [e["exec_id"] for e in pages(alice, "/v1/execution", "executions", trade_meanwhile)]
    assert paged == whole and len(whole) > 3
    # The open ones alone; the finished ones alone.
    still_open = [i for i in placed if alice.get(f"/v1/order/{i}")[1]["status"] == "Pending"]
    listed = [o["order_id"] for o in pages(alice, "/v1/orders?status=open", "orders")]
    assert listed == sorted(still_open + open_ids, key=int, reverse=True)
    listed = [o["order_id"] for o in pages(alice, "/v1/orders?status=closed", "orders")]
    assert listed == sorted(set(placed) - set(still_open) | set(filled) | {cancelled}, key=int,
                            reverse=True)
    assert alice.get("/v1/orders?cursor=nonsense")[1]["error"]["code"] == "invalid_cursor"
    assert alice.get("/v1/orders?cursor=0")[1]["error"]["code"] == "invalid_cursor"
    assert alice.get("/v1/execution?cursor=1.x")[1]["error"]["code"] == "invalid_cursor"
