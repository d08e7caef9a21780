"""Every REST route of API.md against a real xtraderd: answers and error codes."""
import json
import os
import threading
import time
from decimal import Decimal as D

import pytest

from conftest import ADMIN, ALICE, BOB, CAROL, Daemon
from services import wait_until

FEE = D("0.0005")


def wait_for_book(client, symbol, sequence):
    deadline = time.time() + 10
    while time.time() < deadline:
        status, book, _ = client.get(f"/api/v1/orderbook/{symbol}?depth=50")
        assert status == 200
        if book["sequence"] >= sequence:
            return book
        time.sleep(0.01)
    raise AssertionError("the book never reached sequence %d" % sequence)


def test_market_data_routes_follow_the_trades(daemon):
    alice, bob = daemon.client(ALICE), daemon.client(BOB)
    alice.order(side="Sell", price="50000000", quantity="0.2")
    alice.order(side="Sell", price="50100000", quantity="0.2")
    _, taker, _ = bob.order(side="Buy", price="50100000", quantity="0.3")
    assert taker["status"] == "Filled"
    book = wait_for_book(bob, "BTC-KRW", taker["sequence"])
    assert book["asks"] == [{"price": 50100000, "volume": D("0.1000"), "order_count": 1}]
    c = daemon.client()
    _, trades, _ = c.get("/api/v1/executions/BTC-KRW?limit=10")
    assert [(t["price"], t["quantity"], t["side"]) for t in trades["executions"]] == [
        (50100000, D("0.1"), "Buy"), (50000000, D("0.2"), "Buy")]
    _, stats, _ = c.get("/api/v1/statistics/BTC-KRW")
    assert stats["last_price"] == 50100000 and stats["open_price_24h"] == 50000000
    assert stats["high_price_24h"] == 50100000 and stats["low_price_24h"] == 50000000
    assert stats["volume_24h"] == D("0.3") and stats["price_change_24h"] == D("0.20")
    assert stats["ask_price"] == 50100000 and stats["bid_price"] is None
    for interval in ("1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w"):
        status, k, _ = c.get(f"/api/v1/klines/BTC-KRW/{interval}?limit=3")
        assert status == 200 and k["interval"] == interval
        # The two trades, in one candle or (across a boundary) two.
        traded = [x for x in k["candles"] if x["trade_count"] > 0]
        assert traded[0]["open"] == 50000000 and traded[-1]["close"] == 50100000
        assert max(x["high"] for x in traded) == 50100000 and min(x["low"] for x in traded) == 50000000
        assert sum(x["volume"] for x in traded) == D("0.3") and sum(x["trade_count"] for x in traded) == 2
        assert all(x["close_time"] > x["open_time"] for x in k["candles"])
    assert c.get("/api/v1/klines/BTC-KRW/2h")[0] == 400
    assert c.get("/api/v1/klines/BTC-KRW/1m?limit=0")[0] == 400
    assert c.get("/api/v1/klines/BTC-KRW/1m?limit=abc")[0] == 400
    assert c.get("/api/v1/klines/DOGE-KRW/1m")[0] == 404
    assert c.get("/api/v1/statistics/DOGE-KRW")[0] == 404
    assert c.get("/api/v1/executions/DOGE-KRW")[0] == 404
    assert c.get("/api/v1/executions/BTC-KRW?limit=5000")[0] == 400
    _, eth, _ = c.get("/api/v1/statistics/ETH-KRW")
    assert eth["last_price"] is None and eth["volume_24h"] == 0


def test_markets_health_ready_metrics_and_front_page(daemon):
    c = daemon.client()
    status, body, _ = c.get("/api/v1/markets")
    assert status == 200
    btc = next(m for m in body["markets"] if m["symbol"] == "BTC-KRW")
    assert btc["tick_size"] == 1000 and btc["lot_size"] == D("0.0001")
    assert btc["taker_fee"] == D("0.000500")
    assert {m["symbol"] for m in body["markets"]} >= {"BTC-KRW", "ETH-KRW"}
    assert c.get("/health")[0] == 200
    assert c.get("/ready")[0] == 200
    status, text, res = c.get("/metrics")
    assert status == 200 and b"xtrader_sequencer_queue_depth" in text
    assert res.getheader("Content-Type").startswith("text/plain")
    status, page, res = c.get("/")
    assert status == 200 and b"xtraderd is running" in page
    status, body, _ = c.get("/api/v1/system/pipelines")
    assert status == 200
    names = {p["name"]: p for p in body["pipelines"]}
    assert names["order-view"]["state"] == "healthy" and names["market-data"]["state"] == "healthy"
    assert names["trade-store"]["state"] == "healthy" and names["trade-store"]["lag"] >= 0


def test_a_resting_order_is_pending_and_holds_price_times_quantity_plus_fee(daemon):
    alice = daemon.client(ALICE)
    before = alice.balances()
    status, o, _ = alice.order(side="Buy", price="40000000", quantity="0.1", client_order_id="rest-1")
    assert status == 200, o
    assert o["status"] == "Pending" and o["executions"] == [] and o["client_order_id"] == "rest-1"
    assert o["price"] == 40000000 and o["remaining_quantity"] == D("0.1")
    held = D("4000000") * (1 + FEE)
    after = alice.balances()
    assert after["KRW"] == (before["KRW"][0] - held, before["KRW"][1] + held)
    # It is in the book (market data follows the journal: wait for its sequence) and among the
    # account's open orders.
    book = wait_for_book(alice, "BTC-KRW", o["sequence"])
    assert book["bids"][0] == {"price": 40000000, "volume": D("0.1000"), "order_count": 1}
    _, mine, _ = alice.get("/v1/orders?symbol=BTC-KRW&status=open")
    assert [x["order_id"] for x in mine["orders"]] == [o["order_id"]]
    status, got, _ = alice.get("/v1/order/" + o["order_id"])
    assert status == 200 and got["status"] == "Pending"


def test_crossing_orders_fill_and_balances_move_by_price_quantity_and_fees(daemon):
    alice, bob = daemon.client(ALICE), daemon.client(BOB)
    a0, b0 = alice.balances(), bob.balances()
    status, sell, _ = alice.order(side="Sell", price="50000000", quantity="0.3")
    assert status == 200 and sell["status"] == "Pending"
    # A partial fill: bob takes 0.1 of alice's 0.3.
    status, buy, _ = bob.order(side="Buy", price="51000000", quantity="0.1")
    assert status == 200 and buy["status"] == "Filled", buy
    assert buy["average_price"] == 50000000
    [fill] = buy["executions"]
    assert fill["price"] == 50000000 and fill["quantity"] == D("0.1")
    assert fill["fee"] == D("2500") and fill["fee_asset"] == "KRW" and fill["is_maker"] is False
    _, sell_now, _ = alice.get("/v1/order/" + sell["order_id"])
    assert sell_now["status"] == "PartiallyFilled" and sell_now["filled_quantity"] == D("0.1")
    # A larger buy takes the rest and rests its own remainder.
    status, big, _ = bob.order(side="Buy", price="50000000", quantity="0.5")
    assert status == 200 and big["status"] == "PartiallyFilled", big
    assert big["filled_quantity"] == D("0.2") and big["remaining_quantity"] == D("0.3")
    _, sell_now, _ = alice.get("/v1/order/" + sell["order_id"])
    assert sell_now["status"] == "Filled"

    # The executions reach the trade store, one row per side.
    deadline = time.time() + 10
    while time.time() < deadline:
        status, history, _ = alice.get("/v1/execution?symbol=BTC-KRW")
        if len(history["executions"]) == 2:
            break
        time.sleep(0.05)
    assert status == 200 and [e["quantity"] for e in history["executions"]] == [D("0.2"), D("0.1")]
    assert all(e["is_maker"] and e["side"] == "Sell" and e["fee"] == e["quantity"] * 50000000 * FEE
               for e in history["executions"])
    _, bobs, _ = bob.get("/v1/execution?order_id=" + buy["order_id"])
    assert [e["exec_id"] for e in bobs["executions"]] == [fill["exec_id"]]
    assert bobs["executions"][0]["is_maker"] is False
    assert bob.get("/v1/execution?limit=0")[0] == 400
    assert bob.get("/v1/execution?symbol=NOPE")[0] == 400

    notional = D("0.3") * 50000000  # alice sold 0.3 BTC at 50,000,000
    a1, b1 = alice.balances(), bob.balances()
    assert a1["BTC"] == (a0["BTC"][0] - D("0.3"), D(0))
    assert a1["KRW"] == (a0["KRW"][0] + notional * (1 - FEE), D(0))
    assert b1["BTC"] == (b0["BTC"][0] + D("0.3"), D(0))
    # bob paid notional + taker fee, and holds the resting 0.3 at 50,000,000 plus its fee.
    resting_hold = D("0.3") * 50000000 * (1 + FEE)
    assert b1["KRW"] == (b0["KRW"][0] - notional * (1 + FEE) - resting_hold, resting_hold)


def test_ioc_fok_market_and_post_only_outcomes(daemon):
    alice, bob = daemon.client(ALICE), daemon.client(BOB)
    assert alice.order(side="Sell", price="60000000", quantity="0.2")[0] == 200
    _, ioc, _ = bob.order(side="Buy", price="60000000", quantity="0.5", time_in_force="IOC")
    assert ioc["status"] == "Cancelled" and ioc["reason"] == "unfilled"
    assert ioc["filled_quantity"] == D("0.2") and ioc["remaining_quantity"] == D("0")
    assert alice.order(side="Sell", price="61000000", quantity="0.2")[0] == 200
    _, fok, _ = bob.order(side="Buy", price="61000000", quantity="0.5", time_in_force="FOK")
    assert fok["status"] == "Cancelled" and fok["filled_quantity"] == D("0")
    _, post, _ = bob.order(side="Buy", price="61000000", quantity="0.1", post_only=True)
    assert post["status"] == "Rejected" and post["reason"] == "post_only_would_cross"
    _, market, _ = bob.order(side="Buy", order_type="Market", quantity="0.1")
    assert market["status"] == "Filled" and market["price"] is None
    _, none, _ = bob.order(symbol="ETH-KRW", side="Buy", order_type="Market", quantity="1")
    assert none["status"] == "Rejected" and none["reason"] == "no_liquidity"


def test_cancel_both_forms_and_their_refusals(daemon):
    alice, bob = daemon.client(ALICE), daemon.client(BOB)
    _, o1, _ = alice.order(side="Buy", price="30000000", quantity="0.5")
    _, o2, _ = alice.order(side="Buy", price="30001000", quantity="0.5")
    status, body, _ = bob.request("DELETE", "/v1/order/" + o1["order_id"])
    assert status == 403 and body["error"]["code"] == "forbidden"
    assert bob.get("/v1/order/" + o1["order_id"])[0] == 403
    status, body, _ = alice.request("DELETE", "/v1/order/" + o1["order_id"])
    assert status == 200 and body == {**body, "status": "Cancelled", "remaining_quantity": D("0.5")}
    status, body, _ = alice.post("/v1/order/cancel", {"order_id": o2["order_id"]})
    assert status == 200 and body["status"] == "Cancelled"
    status, body, _ = alice.post("/v1/order/cancel", {"order_id": o2["order_id"]})
    assert status == 409 and body["error"]["code"] == "order_closed"
    assert alice.request("DELETE", "/v1/order/987654321")[0] == 404
    assert alice.get("/v1/order/987654321")[0] == 404
    assert alice.post("/v1/order/cancel", {"order_id": "x"})[0] == 400
    assert alice.balances()["KRW"][1] == 0


@pytest.mark.parametrize("body, code", [
    ({"side": "Buy", "order_type": "Limit", "price": "1000", "quantity": "1"}, "invalid_symbol"),
    ({"symbol": "DOGE-KRW", "side": "Buy", "order_type": "Limit", "price": "1000", "quantity": "1"}, "unknown_symbol"),
    ({"symbol": "BTC-KRW", "side": "Hold", "order_type": "Limit", "price": "1000", "quantity": "1"}, "invalid_side"),
    ({"symbol": "BTC-KRW", "side": "Buy", "order_type": "Stop", "price": "1000", "quantity": "1"}, "invalid_order_type"),
    ({"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit", "price": "1000", "quantity": "-1"}, "invalid_quantity"),
    ({"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit", "price": "1000", "quantity": "0"}, "invalid_quantity"),
    ({"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit", "price": "1000", "quantity": "0.00001"}, "invalid_quantity"),
    ({"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit", "price": "1000", "quantity": "NaN"}, "invalid_quantity"),
    ({"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit", "price": "1000", "quantity": "1e400"}, "invalid_quantity"),
    ({"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit", "price": "1000", "quantity": "5000"}, "invalid_quantity"),
    ({"symbol": "ETH-KRW", "side": "Buy", "order_type": "Limit", "price": "1000", "quantity": "0.0015"}, "invalid_quantity"),
    ({"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit", "quantity": "1"}, "invalid_price"),
    ({"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit", "price": "1500", "quantity": "1"}, "invalid_price"),
    ({"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit", "price": "1000.5", "quantity": "1"}, "invalid_price"),
    ({"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit", "price": "-1000", "quantity": "1"}, "invalid_price"),
    ({"symbol": "BTC-KRW", "side": "Buy", "order_type": "Market", "price": "1000", "quantity": "1"}, "invalid_price"),
    ({"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit", "price": "1000", "quantity": "1", "time_in_force": "GTD"}, "invalid_time_in_force"),
    ({"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit", "price": "1000", "quantity": "1", "post_only": True, "time_in_force": "IOC"}, "invalid_post_only"),
    ({"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit", "price": "1000", "quantity": "1", "client_order_id": "has space"}, "invalid_client_order_id"),
    ({"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit", "price": "1000", "quantity": "1", "leverage": 10}, "unknown_field"),
])
def test_each_validation_failure_is_a_400_that_changes_nothing(daemon, body, code):
    alice = daemon.client(ALICE)
    before = alice.balances()
    status, answer, _ = alice.post("/v1/order", body)
    assert status == 400, answer
    assert answer["error"]["code"] == code and answer["error"]["message"]
    assert alice.balances() == before


def test_validation_follows_the_seed_order_symbol_quantity_price(daemon):
    alice = daemon.client(ALICE)
    bad_all = {"symbol": "NOPE", "side": "Buy", "order_type": "Limit", "price": "-1", "quantity": "-1"}
    assert alice.post("/v1/order", bad_all)[1]["error"]["code"] == "unknown_symbol"
    bad_all["symbol"] = "BTC-KRW"
    assert alice.post("/v1/order", bad_all)[1]["error"]["code"] == "invalid_quantity"
    bad_all["quantity"] = "1"
    assert alice.post("/v1/order", bad_all)[1]["error"]["code"] == "invalid_price"


def test_malformed_bodies_and_media_types(daemon):
    alice = daemon.client(ALICE)
    status, body, _ = alice.request("POST", "/v1/order", raw="{not json",
                                    headers={"Content-Type": "application/json"})
    assert status == 400 and body["error"]["code"] == "malformed_json"
    status, body, _ = alice.request("POST", "/v1/order", raw='{"symbol": {"x": 1}}',
                                    headers={"Content-Type": "application/json"})
    assert status == 400
    status, body, _ = alice.request("POST", "/v1/order", raw="symbol=BTC-KRW",
                                    headers={"Content-Type": "text/plain"})
    assert status == 415 and body["error"]["code"] == "unsupported_media_type"
    # JSON numbers are read exactly, from their text: 1e30 is too large, 0.00001 too fine; 1e400
    # is past what the JSON reader takes at all (still a 400).
    for number, code in (("1e30", "invalid_quantity"), ("0.00001", "invalid_quantity"),
                         ("1e400", "malformed_json"), ("1e-4", None)):
        raw = ('{"symbol":"BTC-KRW","side":"Buy","order_type":"Limit","price":1000,"quantity":%s}'
               % number)
        status, body, _ = alice.request("POST", "/v1/order", raw=raw,
                                        headers={"Content-Type": "application/json"})
        if code is None:
            assert status == 200 and body["quantity"] == D("0.0001"), body
        else:
            assert status == 400 and body["error"]["code"] == code, body
    assert alice.request("PUT", "/v1/order", raw="{}")[0] == 405
    assert alice.get("/v1/nothing-here")[0] == 404
    assert alice.get("/api/v1/orderbook/DOGE-KRW")[0] == 404
    assert alice.get("/api/v1/orderbook/BTC-KRW?depth=0")[0] == 400


def test_missing_or_unknown_api_key_is_401(daemon):
    anonymous = daemon.client()
    status, body, _ = anonymous.order(price="1000")
    assert status == 401 and body["error"]["code"] == "unauthorized"
    assert daemon.client("not-a-key").get("/v1/account/balances")[0] == 401
    assert anonymous.get("/v1/orders")[0] == 401


def test_insufficient_balance_is_402(daemon):
    carol = daemon.client(CAROL)
    before = carol.balances()
    status, body, _ = carol.order(side="Buy", price="9000000000", quantity="1")
    assert status == 402 and body["error"]["code"] == "insufficient_balance"
    status, body, _ = carol.order(side="Sell", price="1000", quantity="6")  # holds 5 BTC
    assert status == 402
    assert carol.balances() == before


def test_client_order_id_is_idempotent_and_409_when_reused_differently(daemon):
    bob = daemon.client(BOB)
    first = bob.order(side="Buy", price="20000000", quantity="0.1", client_order_id="idem-1")[1]
    again = bob.order(side="Buy", price="20000000", quantity="0.1", client_order_id="idem-1")
    assert again[0] == 200 and again[1]["order_id"] == first["order_id"]
    status, body, _ = bob.order(side="Buy", price="20000000", quantity="0.2", client_order_id="idem-1")
    assert status == 409 and body["error"]["code"] == "client_order_id_reused"
    _, mine, _ = bob.get("/v1/orders")
    assert [o["order_id"] for o in mine["orders"]].count(first["order_id"]) == 1
    # Another account may use the same id.
    assert daemon.client(ALICE).order(side="Buy", price="20000000", quantity="0.1",
                                      client_order_id="idem-1")[0] == 200


def test_orders_are_read_and_cancelled_by_client_order_id(daemon):
    alice, bob = daemon.client(ALICE), daemon.client(BOB)
    first = alice.order(side="Buy", price="20000000", quantity="0.1", client_order_id="cl-1")[1]
    status, body, _ = alice.get("/v1/order?client_order_id=cl-1")
    assert status == 200 and body["order_id"] == first["order_id"] and body["status"] == "Pending"
    # Client ids are the account's own: another account neither finds nor cancels by them.
    assert bob.get("/v1/order?client_order_id=cl-1")[0] == 404
    assert bob.post("/v1/order/cancel", {"client_order_id": "cl-1"})[0] == 404
    status, body, _ = alice.post("/v1/order/cancel", {"client_order_id": "cl-1"})
    assert status == 200 and body["order_id"] == first["order_id"] and body["status"] == "Cancelled"
    status, body, _ = alice.post("/v1/order/cancel", {"client_order_id": "cl-1"})
    assert status == 409 and body["error"]["code"] == "order_closed"
    assert alice.get("/v1/order?client_order_id=cl-1")[1]["status"] == "Cancelled"
    # Refusals.
    assert alice.get("/v1/order?client_order_id=never-used")[0] == 404
    assert alice.post("/v1/order/cancel", {"client_order_id": "never-used"})[0] == 404
    for target in ("/v1/order", "/v1/order?client_order_id=", "/v1/order?client_order_id=a%20b"):
        status, body, _ = alice.get(target)
        assert status == 400 and body["error"]["code"] == "invalid_client_order_id", target
    status, body, _ = alice.post("/v1/order/cancel", {"order_id": first["order_id"],
                                                      "client_order_id": "cl-1"})
    assert status == 400 and body["error"]["code"] == "invalid_order_id"
    assert alice.balances()["KRW"][1] == 0


def test_the_seeds_order_body_without_an_order_type_is_a_limit_order(daemon):
    alice = daemon.client(ALICE)
    status, body, _ = alice.post("/v1/order", {"symbol": "BTC-KRW", "side": "Buy",
                                               "price": "20000000", "quantity": "0.1"})
    assert status == 200 and body["order_type"] == "Limit" and body["status"] == "Pending"
    status, body, _ = alice.post("/v1/order", {"symbol": "BTC-KRW", "side": "Buy", "quantity": "0.1"})
    assert status == 400 and body["error"]["code"] == "invalid_order_type"


def test_client_order_ids_reach_past_the_view_into_the_trade_store(data_dir):
    daemon = Daemon(data_dir, "--finished-orders-kept", "2").start()
    try:
        bob = daemon.client(BOB)
        old = bob.order(side="Buy", price="21000000", quantity="0.1", client_order_id="old-1")[1]
        assert bob.post("/v1/order/cancel", {"client_order_id": "old-1"})[0] == 200
        for _ in range(3):  # push it out of the view
            order_id = bob.order(side="Buy", price="21000000", quantity="0.1")[1]["order_id"]
            assert bob.request("DELETE", f"/v1/order/{order_id}")[0] == 200

        def from_store():
            status, body, _ = bob.get("/v1/order?client_order_id=old-1")
            return status == 200 and body["order_id"] == old["order_id"] and body["status"] == "Cancelled"
        wait_until(from_store, 10, "the old order read from the trade store")
        status, body, _ = bob.post("/v1/order/cancel", {"client_order_id": "old-1"})
        assert status == 409 and body["error"]["code"] == "order_closed"
        assert bob.get("/v1/order?client_order_id=old-2")[0] == 404
    finally:
        daemon.stop()


def test_order_lists_filter_by_status_open_by_default(daemon):
    bob = daemon.client(BOB)
    resting = bob.order(side="Buy", price="21000000", quantity="0.1")[1]["order_id"]
    cancelled = bob.order(side="Buy", price="21000000", quantity="0.1")[1]["order_id"]
    assert bob.request("DELETE", f"/v1/order/{cancelled}")[0] == 200

    def ids(query):
        status, body, _ = bob.get("/v1/orders" + query)
        assert status == 200
        return [o["order_id"] for o in body["orders"]]

    assert resting in ids("") and cancelled not in ids("")
    assert ids("") == ids("?status=open")
    assert cancelled in ids("?status=closed") and resting not in ids("?status=closed")
    assert {resting, cancelled} <= set(ids("?status=all"))
    assert bob.get("/v1/orders?status=cancelled")[0] == 400


def test_order_lists_reach_past_the_view_into_the_trade_store(data_dir):
    """The view keeps the last 5 finished orders; the listing finds the older ones in the trade
    store, the last finished first, before and after a restart."""
    daemon = Daemon(data_dir, "--finished-orders-kept", "5").start()
    try:
        bob = daemon.client(BOB)
        placed = []
        for i in range(12):
            order_id = bob.order(side="Buy", price=str(21_000_000 + i * 1000),
                                 quantity="0.1")[1]["order_id"]
            assert bob.request("DELETE", f"/v1/order/{order_id}")[0] == 200
            placed.append(order_id)
            time.sleep(0.002)  # each finished in a millisecond of its own
        resting = bob.order(side="Buy", price="20000000", quantity="0.1")[1]["order_id"]
        newest_first = placed[::-1]

        def listed(query):
            status, body, _ = bob.get("/v1/orders" + query)
            assert status == 200, body
            return [o["order_id"] for o in body["orders"]]
        wait_until(lambda: listed("?status=closed&limit=100") == newest_first, 10,
                   "every cancelled order listed")
        assert listed("?status=closed&limit=8") == newest_first[:8]
        assert listed("?status=all&limit=9") == [resting, *newest_first[:8]]
        daemon.stop()
        daemon = Daemon(data_dir, "--finished-orders-kept", "5").start()
        bob = daemon.client(BOB)
        assert listed("?status=closed&limit=100") == newest_first
    finally:
        daemon.stop()


def test_admin_deposit(daemon):
    c = daemon.client()
    body = {"account_id": 3, "asset": "ETH", "amount": "1.5"}
    assert c.post("/v1/admin/deposit", body)[0] == 401
    assert c.post("/v1/admin/deposit", body, headers={"X-Admin-Token": "wrong"})[0] == 401
    before = daemon.client(CAROL).balances()["ETH"][0]
    status, answer, _ = c.post("/v1/admin/deposit", body, headers={"X-Admin-Token": ADMIN})
    assert status == 200 and answer["amount"] == D("1.5")
    assert daemon.client(CAROL).balances()["ETH"][0] == before + D("1.5")
    bad = {"account_id": 3, "asset": "ETH", "amount": "0.000000001"}
    assert c.post("/v1/admin/deposit", bad, headers={"X-Admin-Token": ADMIN})[0] == 400
    bad = {"account_id": 99, "asset": "ETH", "amount": "1"}
    assert c.post("/v1/admin/deposit", bad, headers={"X-Admin-Token": ADMIN})[0] == 400


def test_a_body_over_the_limit_is_413(data_dir):
    d = Daemon(data_dir, "--body-limit", "256").start()
    try:
        alice = d.client(ALICE)
        big = {"symbol": "BTC-KRW", "side": "Buy", "order_type": "Limit", "price": "1000",
               "quantity": "1", "client_order_id": "x", "pad": "y" * 1000}
        status, body, _ = alice.post("/v1/order", big)
        assert status == 413 and body["error"]["code"] == "payload_too_large"
        assert d.client(ALICE).order(price="1000", quantity="0.01")[0] == 200
    finally:
        d.stop()


def test_a_key_past_its_rate_gets_429_with_retry_after(data_dir):
    d = Daemon(data_dir, "--rate-limit", "5", "--rate-burst", "5").start()
    try:
        alice = d.client(ALICE)
        statuses = [alice.get("/v1/account/balances") for _ in range(20)]
        codes = [s[0] for s in statuses]
        assert codes[:5] == [200] * 5 and 429 in codes
        limited = next(s for s in statuses if s[0] == 429)
        assert limited[2].getheader("Retry-After") == "1"
        assert d.client(BOB).get("/v1/account/balances")[0] == 200  # per key
    finally:
        d.stop()


def test_a_full_queue_answers_503_with_retry_after(data_dir):
    # A tiny queue and a slow journal (fsync on every command): a burst must overflow.
    d = Daemon(data_dir, "--queue-capacity", "2", "--fsync", "always", "--io-threads", "2").start()
    results = []
    lock = threading.Lock()

    def flood(key):
        c = d.client(key)
        for i in range(60):
            status, body, res = c.order(side="Buy", price="1000", quantity="0.0001")
            with lock:
                results.append((status, res.getheader("Retry-After")))

    try:
        threads = [threading.Thread(target=flood, args=(k,)) for k in (ALICE, BOB, CAROL) * 4]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = {status for status, _ in results}
        assert codes <= {200, 503}, codes
        assert 503 in codes and 200 in codes
        assert all(retry == "1" for status, retry in results if status == 503)
        assert d.client().get("/health")[0] == 200
    finally:
        d.stop()


def test_the_web_root_serves_files_with_types_cache_headers_and_the_spa_fallback(data_dir):
    web = os.path.join(data_dir, "web")
    os.makedirs(os.path.join(web, "assets"))
    with open(os.path.join(web, "index.html"), "w") as f:
        f.write("<!doctype html><title>HTS</title>")
    with open(os.path.join(web, "assets", "app-3f2a1b.js"), "w") as f:
        f.write("console.log('hts')")
    d = Daemon(data_dir).start()
    try:
        c = d.client()
        status, body, res = c.get("/")
        assert status == 200 and b"<title>HTS</title>" in body
        assert res.getheader("Content-Type").startswith("text/html")
        assert res.getheader("Cache-Control") == "no-cache"
        status, body, res = c.get("/assets/app-3f2a1b.js")
        assert status == 200 and res.getheader("Content-Type").startswith("text/javascript")
        assert "immutable" in res.getheader("Cache-Control")
        status, body, _ = c.get("/markets/BTC-KRW")  # a client-side route
        assert status == 200 and b"<title>HTS</title>" in body
        assert c.get("/assets/missing.js")[0] == 404
        assert c.get("/../config/xtrader.toml")[0] in (400, 404)
        # HEAD: the GET's headers, no body (http.client reads none for HEAD).
        status, body, res = c.request("HEAD", "/assets/app-3f2a1b.js")
        assert status == 200 and body == b"" and res.getheader("Content-Length") == "18"
        assert "immutable" in res.getheader("Cache-Control")
    finally:
        d.stop()


def test_charts_and_the_book_survive_a_restart(data_dir):
    d = Daemon(data_dir).start()
    try:
        alice, bob = d.client(ALICE), d.client(BOB)
        alice.order(side="Sell", price="50000000", quantity="0.2")
        _, last, _ = bob.order(side="Buy", price="50000000", quantity="0.1")
        bob.order(side="Buy", price="49000000", quantity="0.4")
        book_before = wait_for_book(alice, "BTC-KRW", last["sequence"] + 1)  # market data caught up
        before = {i: d.client().get(f"/api/v1/klines/BTC-KRW/{i}")[1] for i in ("1m", "1h", "1w")}
        trades_before = d.client().get("/api/v1/executions/BTC-KRW")[1]
    finally:
        assert d.stop() == 0
    again = Daemon(data_dir).start()
    try:
        for interval, candles in before.items():
            assert again.client().get(f"/api/v1/klines/BTC-KRW/{interval}")[1] == candles
        book = again.client().get("/api/v1/orderbook/BTC-KRW?depth=50")[1]
        assert (book["bids"], book["asks"]) == (book_before["bids"], book_before["asks"])
        assert again.client().get("/api/v1/executions/BTC-KRW")[1] == trades_before
    finally:
        again.stop()
