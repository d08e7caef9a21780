"""The trading screen end to end (ctest label `e2e`): xtraderd serving web/dist, xtrader-sim moving
the market, and web/e2e/hts.mjs driving Debian's chromium through every step of the issue: the
page loads clean, book / tape / chart fill, sign-in, a resting order Pending then cancelled, a
crossing order whose fill and balances are checked to the unit, a 402 in words, a stop order shown
Untriggered then cancelled, a market halted and resumed by the admin routes shown as such, the Surveillance
view signed in with the admin token showing the simulated whale's alerts live. Screenshots of
each step land in the build directory (XTRADER_SCREENSHOTS). Last, the exchange is restarted under
the page, which must show the outage, reconnect and resubscribe on its own."""
import os
import subprocess
import tempfile

import pytest

from conftest import ADMIN, CONFIG, Daemon, free_port

pytestmark = pytest.mark.e2e

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WEB = os.path.join(ROOT, "web")
SIM = os.environ.get("XTRADER_SIM_BIN", "build/release/src/sim/xtrader-sim")


def test_the_trading_screen_in_a_real_browser(data_dir):
    assert os.path.exists(os.path.join(WEB, "dist", "index.html")), "build the screen first: scripts/web.sh"
    # Fixed ports, so that the page finds the exchange again after the restart step.
    flags = ["--web-root", os.path.join(WEB, "dist"), "--http-port", str(free_port()), "--ws-port", str(free_port())]
    daemon = Daemon(data_dir, *flags).start()
    # The simulator trades with every demo account but carol, whom the browser signs in as, so
    # that her balances move only by what the test does.
    sim_config = os.path.join(data_dir, "sim.toml")
    with open(sim_config, "w") as f:
        f.write(f'include = "{os.path.abspath(CONFIG)}"\n')
        for id_, name, key in ((1, "alice", "demo-alice-3f9c2a"), (2, "bob", "demo-bob-7d41e8"),
                               (4, "market-maker", "demo-mm-91ac57")):
            f.write(f'[[accounts]]\nid = {id_}\nname = "{name}"\napi_key = "{key}"\n')
    # Its whale (the market-maker) bids hundreds of times the usual order every 30 s: the
    # Surveillance view's live alerts.
    sim = subprocess.Popen([SIM, "--config", sim_config, "--host", "127.0.0.1", "--http-port", str(daemon.port),
                            "--rate", "20", "--scenario", "whale", "--scenario-after", "10"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    shots = os.environ.get("XTRADER_SCREENSHOTS") or tempfile.mkdtemp(prefix="xtrader-hts-")
    browser = subprocess.Popen(["node", os.path.join(WEB, "e2e", "hts.mjs"),
                                f"http://127.0.0.1:{daemon.port}/?ws={daemon.ws_port}", shots, ADMIN],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output = []
        for line in browser.stdout:
            output.append(line)
            if line.strip() == "restart-the-exchange":
                daemon.stop(timeout=90)
                daemon = Daemon(data_dir, *flags).start()
        assert browser.wait(300) == 0, "".join(output) + f"\nscreenshots: {shots}"
        assert "all steps passed" in "".join(output)
    finally:
        if browser.poll() is None:
            browser.kill()
        sim.terminate()
        sim.wait(30)
        daemon.stop()
