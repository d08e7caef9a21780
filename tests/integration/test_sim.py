"""xtrader-sim against a real daemon: the market moves by itself."""
import os
import subprocess

from conftest import Daemon

SIM = os.environ.get("XTRADER_SIM_BIN", "build/release/src/sim/xtrader-sim")


def test_the_simulator_makes_a_moving_market_in_every_market(data_dir):
    d = Daemon(data_dir).start()
    try:
        run = subprocess.run([SIM, "--config", os.environ.get("XTRADER_TEST_CONFIG", "config/xtrader.toml"),
                              "--http-port", str(d.port), "--host", "127.0.0.1",
                              "--rate", "40", "--seconds", "3"],
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        c = d.client()
        for symbol in ("BTC-KRW", "ETH-KRW"):
            trades = c.get(f"/api/v1/executions/{symbol}?limit=1000")[1]["executions"]
            assert len(trades) >= 5, symbol
            book = c.get(f"/api/v1/orderbook/{symbol}")[1]
            assert book["bids"] and book["asks"], symbol
            assert book["bids"][0]["price"] < book["asks"][0]["price"]
            candles = c.get(f"/api/v1/klines/{symbol}/1m")[1]["candles"]
            assert sum(k["trade_count"] for k in candles) == len(trades)
    finally:
        d.stop()
