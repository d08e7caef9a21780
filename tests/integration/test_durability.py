"""A killed or stopped daemon loses no acknowledged order (ctest label `fault`)."""
import glob
import os
import random
import signal
import threading
import time
from decimal import Decimal as D

import pytest

from conftest import ALICE, BOB, CAROL, Daemon

pytestmark = pytest.mark.fault

KEYS = (ALICE, BOB, CAROL)
FINAL = {"Filled", "Cancelled", "Rejected"}


def trade_until_stopped(daemon, key, acknowledged, stop, seed):
    """Places and cancels orders around a mid price, recording every 200 answer."""
    rng = random.Random(seed)
    c = daemon.client(key)
    mine = []
    while not stop.is_set():
        try:
            if mine and rng.random() < 0.2:
                order_id = mine.pop(rng.randrange(len(mine)))
                status, body, _ = c.request("DELETE", "/v1/order/" + order_id)
                if status == 200:
                    acknowledged.append(("cancel", key, order_id, body))
                continue
            side = rng.choice(["Buy", "Sell"])
            offset = rng.randint(-3, 10) * 1000
            price = 50_000_000 - offset if side == "Buy" else 50_000_000 + offset
            status, body, _ = c.order(side=side, price=str(price),
                                      quantity=str(D(rng.randint(1, 20)) / 1000))
            if status == 200:
                acknowledged.append(("order", key, body["order_id"], body))
                if body["status"] in ("Pending", "PartiallyFilled"):
                    mine.append(body["order_id"])
        except OSError:
            return  # the daemon went away


def totals(daemon):
    sums = {}
    for key in KEYS + ("demo-mm-91ac57",):
        for asset, (available, held) in daemon.client(key).balances().items():
            assert available >= 0 and held >= 0
            sums[asset] = sums.get(asset, 0) + available + held
    return sums


def check_acknowledged(daemon, acknowledged):
    """Every answered order exists; what was final stays as it was; nothing went backwards."""
    clients = {key: daemon.client(key) for key in KEYS}
    cancelled = {order_id for kind, _, order_id, _ in acknowledged if kind == "cancel"}
    for kind, key, order_id, answer in acknowledged:
        if kind != "order":
            continue
        status, now, _ = clients[key].get_within_rate("/v1/order/" + order_id)
        assert status == 200, (order_id, now)
        for field in ("symbol", "side", "order_type", "price", "quantity"):
            assert now[field] == answer[field], (order_id, field)
        if answer["status"] in FINAL:
            assert now["status"] == answer["status"] and now["filled_quantity"] == answer["filled_quantity"]
        else:
            assert now["filled_quantity"] >= answer["filled_quantity"]
        if order_id in cancelled:
            assert now["status"] == "Cancelled", (order_id, now)
        # The trade store holds each of the order's executions exactly once.
        if answer["executions"]:
            status, stored, _ = clients[key].get_within_rate("/v1/execution?order_id=" + order_id)
            assert status == 200
            ids = [e["exec_id"] for e in stored["executions"]]
            assert len(ids) == len(set(ids)), (order_id, ids)
            assert {e["exec_id"] for e in answer["executions"]} <= set(ids), (order_id, ids)


def run_load(daemon, seconds):
    acknowledged, stop = [], threading.Event()
    threads = [threading.Thread(target=trade_until_stopped, args=(daemon, key, acknowledged, stop, i))
               for i, key in enumerate(KEYS * 2)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    return acknowledged, stop, threads


def test_sigkill_during_a_stream_of_orders_loses_nothing_acknowledged(data_dir):
    d = Daemon(data_dir).start()
    initial = totals(d)
    acknowledged, stop, threads = run_load(d, 2.0)
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait(10)
    stop.set()
    for t in threads:
        t.join()
    orders = [a for a in acknowledged if a[0] == "order"]
    assert len(orders) > 50

    again = Daemon(data_dir).start()
    try:
        check_acknowledged(again, acknowledged)
        assert totals(again)["BTC"] == initial["BTC"]  # base moves only between accounts
        assert totals(again)["KRW"] <= initial["KRW"]  # quote less the fees
    finally:
        assert again.stop() == 0


def test_graceful_shutdown_under_load_answers_everything_and_snapshots(data_dir):
    d = Daemon(data_dir).start()
    acknowledged, stop, threads = run_load(d, 1.5)
    code = d.stop(signal.SIGTERM)
    stop.set()
    for t in threads:
        t.join()
    assert code == 0, "".join(d.output)
    assert glob.glob(os.path.join(data_dir, "snapshots", "snapshot-*.bin"))

    again = Daemon(data_dir).start()
    try:
        check_acknowledged(again, acknowledged)
    finally:
        again.stop()


@pytest.fixture
def small_disk():
    """A 8 MiB tmpfs of our own, so that the disk can really fill up; skipped where mounting is
    not allowed."""
    import subprocess
    import tempfile
    path = tempfile.mkdtemp(prefix="xtrader-small-disk-")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", path],
                      capture_output=True).returncode != 0:
        os.rmdir(path)
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", path])
        os.rmdir(path)


def test_a_full_disk_answers_503_then_resumes_without_losing_anything(small_disk):
    data = os.path.join(small_disk, "data")
    d = Daemon(data, "--snapshot-every", "0").start()
    filler = os.path.join(small_disk, "filler")
    try:
        acknowledged = []
        # Fill the disk to the last few kilobytes, then order until a write cannot go through:
        # that batch waits (its journal write is retried), and new orders are refused with 503.
        free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
        with open(filler, "wb") as f:
            f.write(b"\0" * max(0, free - 64 * 1024))
        stuck = False
        for i in range(20000):
            alice = d.client(ALICE)
            alice.conn.timeout = 2
            try:
                status, body, _ = alice.order(side="Buy", price=str(10_000_000 + 1000 * (i % 50)),
                                              quantity="0.0001")
            except (TimeoutError, OSError):
                stuck = True  # this order's batch is waiting for the disk
                break
            assert status == 200, body
            acknowledged.append(body["order_id"])
        assert stuck, "the disk never filled"
        status, body, res = d.client(BOB).order(side="Buy", price="10000000", quantity="0.0001")
        assert status == 503 and res.getheader("Retry-After") == "1", (status, body)
        assert d.client().get("/health")[0] == 200  # the process is still up
        os.remove(filler)                            # the disk comes back
        deadline = time.time() + 20
        while time.time() < deadline:
            status, body, _ = d.client(BOB).order(side="Buy", price="10000000", quantity="0.0001")
            if status == 200:
                acknowledged.append(body["order_id"])
                break
            time.sleep(0.2)
        assert status == 200, "orders did not resume once the disk was back"
    finally:
        if os.path.exists(filler):
            os.remove(filler)
        assert d.stop() == 0
    again = Daemon(data).start()
    try:
        for order_id in acknowledged:
            key = BOB if order_id == acknowledged[-1] else ALICE
            assert again.client(key).get_within_rate("/v1/order/" + order_id)[0] == 200, order_id
    finally:
        again.stop()
