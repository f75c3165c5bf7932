// Headless-Chromium driver for tests/e2e/test_ui_browser.py.
//
// Launches the system Chromium once (playwright-core, never a downloaded browser) and then
// answers one JSON command per stdin line with one JSON line on stdout. Each command opens a
// fresh browser context (no shared cookies or localStorage), loads `url`, waits for the page to
// show what the test expects, lets the network settle, takes a screenshot and reports:
//   {ok, error, final_url, missing_text, settled, probes, requests, page_errors, console_errors, ms}
// where `requests` lists every request the page made with its status or network failure (and,
// for /graphql, the answer's body).
// The assertions themselves live in the Python test.
//
// Command fields:
//   url            page to open
//   wait_text      strings that must become visible (substring match), in any order
//   wait_js        JS expressions (as strings) that must become truthy in the page
//   actions        [{click_text: "..."} | {click: "<css>"} | {press: "Escape"}],
//                  run in order after the waits
//   after_text     strings that must become visible after the actions
//   probes         {name: "<JS expression>"} evaluated at the end; values returned as JSON
//   screenshot     PNG path (full page)
//   timeout_ms     for the waits before the actions, and again for those after (default 30000)
//   settle_ms      quiet network period required before reporting (default 750)
//
// Environment: MLFLOWD_CHROMIUM (default /usr/bin/chromium).

import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const executablePath = process.env.MLFLOWD_CHROMIUM || "/usr/bin/chromium";

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-features=MediaRouter,OptimizationHints",
  ],
});

function out(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

async function waitQuiet(inflight, settleMs, deadline) {
  // Resolve once no request has been in flight for settleMs (or at the deadline).
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    if (inflight.size > 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= settleMs) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

async function run(cmd) {
  const started = Date.now();
  const timeout = cmd.timeout_ms ?? 30000;
  const settleMs = cmd.settle_ms ?? 750;
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const requests = [];
  const byRequest = new Map();
  const inflight = new Set();
  const pageErrors = [];
  const consoleErrors = [];

  page.on("request", (req) => {
    const rec = {
      method: req.method(),
      url: req.url(),
      resource_type: req.resourceType(),
      status: null,
      failure: null,
      post_data: (req.postData() || "").slice(0, 4000),
    };
    requests.push(rec);
    byRequest.set(req, rec);
    // Playwright reports neither the response nor the end of a SharedWorker's script request
    // (the UI's telemetry worker); it would never settle. The test checks such URLs itself.
    if (!/\.worker\.js(\?|$)/.test(rec.url)) inflight.add(req);
  });
  page.on("response", (resp) => {
    const rec = byRequest.get(resp.request());
    if (!rec) return;
    rec.status = resp.status();
    // GraphQL reports errors inside a 200 answer: keep those bodies for the test to read.
    if (/\/graphql(\?|$)/.test(rec.url)) {
      rec.body_pending = resp.text().then(
        (t) => { rec.body = t.slice(0, 50000); },
        (e) => { rec.body = null; rec.body_error = String(e); },
      );
    }
  });
  page.on("requestfinished", (req) => inflight.delete(req));
  page.on("requestfailed", (req) => {
    const rec = byRequest.get(req);
    if (rec) rec.failure = req.failure()?.errorText || "failed";
    inflight.delete(req);
  });
  page.on("pageerror", (err) => {
    const head = [err?.name, err?.message].filter(Boolean).join(": ") || String(err);
    const stack = err?.stack && err.stack !== head ? `\n${err.stack}` : "";
    pageErrors.push(stack.includes(head) ? stack.trim() : head + stack);
  });
  page.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push(msg.text().slice(0, 500));
  });

  const result = { ok: true, error: null, missing_text: [], probes: {} };
  // All waits of one phase share one deadline, so a page missing several texts fails in about
  // `timeout`, not once per text.
  let deadline = Date.now() + timeout;
  const left = () => Math.max(deadline - Date.now(), 500);
  const waitTexts = async (texts) => {
    for (const text of texts || []) {
      try {
        await page.getByText(text, { exact: false }).first().waitFor({ state: "visible", timeout: left() });
      } catch (e) {
        result.missing_text.push(text);
      }
    }
  };
  try {
    await page.goto(cmd.url, { waitUntil: "load", timeout });
    await waitTexts(cmd.wait_text);
    for (const expr of cmd.wait_js || []) {
      try {
        await page.waitForFunction(expr, null, { timeout: left(), polling: 100 });
      } catch (e) {
        result.missing_text.push(`js: ${expr}`);
      }
    }
    for (const action of cmd.actions || []) {
      if (action.click_text) {
        await page.getByText(action.click_text, { exact: action.exact ?? false }).first().click({ timeout });
      } else if (action.click) {
        await page.locator(action.click).first().click({ timeout });
      } else if (action.press) {
        await page.keyboard.press(action.press);
      }
    }
    deadline = Date.now() + timeout;
    await waitTexts(cmd.after_text);
    result.settled = await waitQuiet(inflight, settleMs, Date.now() + timeout);
    for (const [name, expr] of Object.entries(cmd.probes || {})) {
      try {
        result.probes[name] = await page.evaluate(expr);
      } catch (e) {
        result.probes[name] = { probe_error: String(e) };
      }
    }
  } catch (e) {
    result.ok = false;
    result.error = String(e && e.stack ? e.stack : e);
  }
  if (cmd.screenshot) {
    try {
      await page.screenshot({ path: cmd.screenshot, fullPage: true, timeout: 15000 });
    } catch (e) {
      result.screenshot_error = String(e);
    }
  }
  await Promise.all(requests.map((r) => r.body_pending).filter(Boolean));
  for (const r of requests) delete r.body_pending;
  result.final_url = page.url();
  result.requests = requests;
  result.page_errors = pageErrors;
  result.console_errors = consoleErrors;
  result.ms = Date.now() - started;
  await context.close();
  return result;
}

out({ ready: true, browser: browser.version() });

const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  if (!line.trim()) continue;
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch (e) {
    out({ ok: false, error: `bad command: ${e}` });
    continue;
  }
  try {
    out(await run(cmd));
  } catch (e) {
    out({ ok: false, error: String(e && e.stack ? e.stack : e) });
  }
}
await browser.close();
