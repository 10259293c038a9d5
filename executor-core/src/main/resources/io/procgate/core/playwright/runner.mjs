// Runs a request's Playwright code against the session's browser, as Kernel's
// playwright.execute does: the code is the body of an async function of page, context and
// browser, and what it returns is the result. The outcome is printed last, as one JSON line
// after the marker the server chose, so that the code's own output stays as it was.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const marker = process.env.PROCGATE_RESULT_MARKER;
const report = (outcome) => process.stdout.write('\n' + marker + JSON.stringify(outcome) + '\n');

let browser;
try {
  const require = createRequire(process.env.PROCGATE_PLAYWRIGHT_MODULES + '/');
  const { chromium } = require('playwright-core');
  const code = readFileSync(process.env.PROCGATE_PLAYWRIGHT_CODE, 'utf8');
  browser = await chromium.connectOverCDP(process.env.PROCGATE_CDP_URL);
  const context = browser.contexts()[0] ?? (await browser.newContext());
  const page = context.pages()[0] ?? (await context.newPage());
  const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
  const result = await new AsyncFunction('page', 'context', 'browser', code)(page, context, browser);
  let serialized;
  try {
    serialized = result === undefined ? undefined : JSON.parse(JSON.stringify(result));
  } catch (e) {
    serialized = String(result);
  }
  report({ success: true, result: serialized });
} catch (e) {
  report({ success: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
} finally {
  // Leaves the browser and its pages as they are: only this connection ends.
  await browser?.close().catch(() => {});
}
process.exit(0);
