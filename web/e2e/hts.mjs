// The trading screen in a real browser (Debian's chromium driven by playwright-core), against a
// running xtraderd with xtrader-sim moving the market. Usage:
//   node e2e/hts.mjs http://127.0.0.1:PORT/?ws=WS_PORT SCREENSHOT_DIR ADMIN_TOKEN
// (xtrader-sim running `--scenario whale`, whose orders the Surveillance view must show live)
// Exits 1 with the failed step on the first wrong thing; every step leaves a screenshot.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [url, shots, adminToken] = process.argv.slice(2);
if (!url || !shots || !adminToken) {
  console.error("usage: node e2e/hts.mjs URL SCREENSHOT_DIR ADMIN_TOKEN");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "xtrader-hts-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1440, height: 900 },
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
const page = context.pages()[0] ?? (await context.newPage());
const consoleErrors = [];
page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
page.on("pageerror", (e) => consoleErrors.push(String(e)));
// The screen asks for batched delivery: every frame it receives is a JSON array.
const sockets = [];
const framesNotArrays = [];
page.on("websocket", (ws) => {
  sockets.push(ws.url());
  ws.on("framereceived", ({ payload }) => {
    if (!String(payload).startsWith("[")) framesNotArrays.push(String(payload).slice(0, 80));
  });
});

let shot = 0;
async function step(name, body) {
  try {
    await body();
    await page.screenshot({ path: join(shots, `${String(++shot).padStart(2, "0")}-${name}.png`) });
    console.log(`ok   ${name}`);
  } catch (e) {
    await page.screenshot({ path: join(shots, `${String(++shot).padStart(2, "0")}-${name}-FAILED.png`) });
    console.log(`FAIL ${name}: ${e.message}`);
    throw e;
  }
}
const byTest = (id) => page.locator(`[data-testid="${id}"]`);
const number = (text) => Number(text.replaceAll(",", ""));
const expect = (condition, what) => {
  if (!condition) throw new Error(what);
};

// Balances as the screen shows them, in integer units of 10^-8 (no float sums).
async function balances() {
  await byTest("tab-balances").click();
  const rows = await byTest("balances").locator("tbody tr").all();
  const out = {};
  for (const row of rows) {
    const [asset, available, held] = await row.locator("td").allInnerTexts();
    out[asset] = { available: Math.round(number(available) * 1e8), held: Math.round(number(held) * 1e8) };
  }
  return out;
}

// A best price from the book on the screen.
async function best(side) {
  const rows = byTest(side).locator(".book-row .price");
  const texts = await rows.allInnerTexts();
  const prices = texts.map(number);
  return side === "bids" ? Math.max(...prices) : Math.min(...prices);
}

try {
  await step("market-loads", async () => {
    await page.goto(url);
    await byTest("connection").filter({ hasText: "live" }).waitFor({ timeout: 15000 });
    await byTest("bids").locator(".book-row").first().waitFor({ timeout: 15000 });
    await byTest("asks").locator(".book-row").first().waitFor({ timeout: 15000 });
    await byTest("trade").first().waitFor({ timeout: 30000 });
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="candle-count"]')?.textContent?.split(" ")[0]) > 0,
      null,
      { timeout: 15000 },
    );
    expect((await byTest("last-price").innerText()) !== "–", "the ticker shows no last price");
    expect(consoleErrors.length === 0, `console errors: ${consoleErrors.join(" | ")}`);
  });

  await step("sign-in", async () => {
    await byTest("demo-carol").click();
    await byTest("account").waitFor();
    await byTest("balances").waitFor({ state: "detached" }).catch(() => {});
    const b = await balances();
    expect(b.KRW && b.BTC, "no balances shown");
  });

  let restingId = "";
  await step("resting-limit-order-is-pending", async () => {
    const tick = 1000;
    const price = Math.floor((await best("bids")) * 0.9 / tick) * tick;
    await byTest("side-buy").click();
    await byTest("price").fill(String(price));
    await byTest("quantity").fill("0.0010");
    await byTest("submit").click();
    await byTest("order-result").filter({ hasText: "Pending" }).waitFor({ timeout: 10000 });
    restingId = (await byTest("order-result").innerText()).match(/order (\d+)/)[1];
    await byTest("tab-orders").click();
    const row = byTest(`open-order-${restingId}`);
    await row.waitFor({ timeout: 10000 });
    expect((await row.locator('[data-testid="status"]').innerText()) === "Pending", "the open order is not Pending");
  });

  await step("cancel-removes-it", async () => {
    await byTest(`open-order-${restingId}`).locator('[data-testid="cancel"]').click();
    await byTest(`open-order-${restingId}`).waitFor({ state: "detached", timeout: 10000 });
  });

  await step("crossing-order-fills-and-settles", async () => {
    const before = await balances();
    const price = Math.ceil((await best("asks")) * 1.05 / 1000) * 1000;
    await byTest("side-buy").click();
    await byTest("order-type").selectOption("Limit");
    await byTest("tif").selectOption("IOC");
    await byTest("price").fill(String(price));
    await byTest("quantity").fill("0.0010");
    const answered = page.waitForResponse((r) => r.url().endsWith("/v1/order") && r.request().method() === "POST");
    await byTest("submit").click();
    const answer = await (await answered).json();
    expect(answer.status === "Filled" || answer.status === "PartiallyFilled" || answer.status === "Cancelled",
           `unexpected status ${answer.status}`);
    expect(answer.executions.length > 0, "the crossing order did not trade");
    await byTest("order-result").filter({ hasText: answer.status }).waitFor();
    // Exactly what the executions say: + the filled BTC; - price x quantity + the fee in KRW.
    let btc = 0;
    let krw = 0;
    for (const e of answer.executions) {
      btc += Math.round(e.quantity * 1e8);
      krw += Math.round(e.price * e.quantity * 1e8) + Math.round(e.fee * 1e8);
    }
    await byTest("tab-executions").click();
    await byTest(`execution-${answer.order_id}`).first().waitFor({ timeout: 10000 });
    let after;
    for (let i = 0; i < 50; i++) {
      after = await balances();
      if (after.BTC.available === before.BTC.available + btc) break;
      await page.waitForTimeout(100);
    }
    expect(after.BTC.available === before.BTC.available + btc,
           `BTC ${before.BTC.available} -> ${after.BTC.available}, expected +${btc}`);
    expect(after.KRW.available + after.KRW.held === before.KRW.available + before.KRW.held - krw,
           `KRW ${before.KRW.available}+${before.KRW.held} -> ${after.KRW.available}+${after.KRW.held}, expected -${krw}`);
  });

  await step("beyond-the-balance-is-402", async () => {
    await byTest("side-buy").click();
    await byTest("order-type").selectOption("Limit");
    await byTest("tif").selectOption("GTC");
    await byTest("price").fill(String(Math.floor((await best("bids")) / 1000) * 1000));
    await byTest("quantity").fill("900");
    await byTest("submit").click();
    await byTest("order-result").filter({ hasText: "Insufficient balance" }).waitFor({ timeout: 10000 });
  });

  await step("stop-order-waits-untriggered", async () => {
    // A buy stop well above the market: it waits, shown Untriggered with its stop, until cancelled.
    const stop = Math.ceil(((await best("asks")) * 1.15) / 1000) * 1000;
    await byTest("side-buy").click();
    await byTest("order-type").selectOption("StopLimit");
    await byTest("tif").selectOption("GTC");
    await byTest("stop-price").fill(String(stop));
    await byTest("price").fill(String(stop + 10000));
    await byTest("quantity").fill("0.0010");
    await byTest("submit").click();
    await byTest("order-result").filter({ hasText: "Untriggered" }).waitFor({ timeout: 10000 });
    const id = (await byTest("order-result").innerText()).match(/order (\d+)/)[1];
    await byTest("tab-orders").click();
    const row = byTest(`open-order-${id}`);
    await row.waitFor({ timeout: 10000 });
    expect((await row.locator('[data-testid="status"]').innerText()) === "Untriggered", "the stop order is not Untriggered");
    expect((await row.innerText()).includes("stop"), "the row shows no stop price");
    await row.locator('[data-testid="cancel"]').click();
    await row.waitFor({ state: "detached", timeout: 10000 });
    await byTest("order-type").selectOption("Limit");
  });

  await step("a-halted-market-shows-halted", async () => {
    const admin = (action) =>
      page.evaluate(
        async ([what, token]) =>
          (await fetch(`/v1/admin/markets/ETH-KRW/${what}`, { method: "POST", headers: { "X-Admin-Token": token } })).status,
        [action, adminToken],
      );
    await byTest("market").selectOption("ETH-KRW");
    expect((await admin("halt")) === 200, "the halt was refused");
    await byTest("market-halted").waitFor({ timeout: 15000 });
    await byTest("halted-note").waitFor();
    expect((await admin("resume")) === 200, "the resume was refused");
    await byTest("market-halted").waitFor({ state: "detached", timeout: 15000 });
    await byTest("market").selectOption("BTC-KRW");
    await byTest("bids").locator(".book-row").first().waitFor({ timeout: 15000 });
  });

  await step("surveillance-shows-alerts-live", async () => {
    await byTest("view-surveillance").click();
    await byTest("admin-token").fill(adminToken);
    await byTest("admin-sign-in").click();
    await byTest("surveillance").waitFor();
    // The whale of the simulator's scenario orders every 30 s: a new alert must arrive by the
    // socket while the view is open.
    const rows = byTest("alert-row");
    const before = await rows.count();
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="alert-row"][data-kind="whale_order"]').length > n,
      await page.locator('[data-testid="alert-row"][data-kind="whale_order"]').count(),
      { timeout: 45_000 },
    );
    expect((await rows.count()) > before, "a new alert row");
    await byTest("alert-kind").selectOption("whale_order");
    const shown = await rows.all();
    for (const row of shown) expect((await row.getAttribute("data-kind")) === "whale_order", "the filter");
    await shown[0].click();
    const evidence = await byTest("evidence").innerText();
    expect(evidence.includes("whale order") && /orders: \d+/.test(evidence), `the evidence: ${evidence}`);
    await page.screenshot({ path: join(shots, "surveillance-view.png") });
    await byTest("view-surveillance").click();
    await byTest("ticker").waitFor();
  });

  await step("websocket-frames-are-batches", async () => {
    expect(sockets.length > 0 && sockets.every((u) => u.endsWith("/ws?batch=1")), `sockets: ${sockets}`);
    expect(framesNotArrays.length === 0, `frames that are not arrays: ${framesNotArrays.join(" | ")}`);
  });
  await step("no-console-errors", async () => {
    // Chromium logs every non-2xx fetch; the 402 above was asked for.
    const unexpected = consoleErrors.filter((e) => !e.includes("status of 402"));
    expect(unexpected.length === 0, `console errors: ${unexpected.join(" | ")}`);
  });
  await step("reconnects-after-a-restart", async () => {
    // The test restarts the exchange on the same ports when it reads this line.
    const tape = () => document.querySelector('[data-testid="trade"]')?.textContent ?? "";
    const top = await page.evaluate(tape);
    const drops = () => Number(document.querySelector('[data-testid="connection"]')?.getAttribute("data-drops"));
    const before = await page.evaluate(drops);
    console.log("restart-the-exchange");
    // The page counts its socket's drops: "reconnecting" may show too briefly to be seen on a
    // busy machine. Under ASan the old daemon may take many seconds to exit.
    await page.waitForFunction(
      (was) => Number(document.querySelector('[data-testid="connection"]')?.getAttribute("data-drops")) > was,
      before,
      { timeout: 90000 },
    );
    await byTest("connection").filter({ hasText: "live" }).waitFor({ timeout: 60000 });
    // Subscribed again: new trades reach the tape, and the book is there.
    await page.waitForFunction(
      (before) => (document.querySelector('[data-testid="trade"]')?.textContent ?? "") !== before,
      top,
      { timeout: 30000 },
    );
    await byTest("bids").locator(".book-row").first().waitFor({ timeout: 15000 });
    await byTest("account").waitFor();
  });
  console.log("all steps passed");
} catch {
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
