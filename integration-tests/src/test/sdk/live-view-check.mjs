// A headful session's live view opened as a person opens it: in a browser of their own, here a
// headless Chromium of the host's (a session's browser, in its own network, cannot reach the
// server's loopback). A process of the session draws, and the view shows it; a click in the view
// reaches the session's page, and one in the read-only view does not. Prints what it saw as one
// JSON line.
import Kernel from '@onkernel/sdk';
import { chromium } from 'playwright-core';

const PAGE = `<!doctype html><title>clicks:0</title>
<body style="margin:0;height:100vh;background:#fff" onclick="document.title = 'clicks:' + (++window.clicks)">
<script>window.clicks = 0;</script></body>`;

async function firstPage(cdpUrl) {
  const browser = await chromium.connectOverCDP(cdpUrl);
  const context = browser.contexts()[0];
  return { browser, page: context.pages()[0] ?? (await context.newPage()) };
}

// The screen's pixel at (x, y) as the view's canvas holds it, and where it is on the view's page.
function onCanvas([x, y]) {
  const canvas = document.querySelector('#screen canvas');
  const box = canvas.getBoundingClientRect();
  const scale = box.width / canvas.width;
  const [r, g, b] = canvas.getContext('2d').getImageData(x, y, 1, 1).data;
  return { pixel: [r, g, b], at: { x: box.left + x * scale, y: box.top + y * scale } };
}

// A launched Chromium now and then stops loading the page's module graph halfway (every request it
// made answered, none pending, the next imports never asked for): loaded again, it connects. The
// server is not the one waiting then, so the second load is a viewer's retry, not the server's.
async function openView(page, url) {
  for (let load = 1; ; load++) {
    await page.goto(url);
    try {
      await page.waitForFunction(() => document.title === 'live view: connected', null, { timeout: 15000, polling: 100 });
      return;
    } catch (e) {
      const started = await page.evaluate(() => document.getElementById('screen').childElementCount > 0);
      if (started || load === 2) throw e;
    }
  }
}

const kernel = new Kernel();
const seen = {};
const target = await kernel.browsers.create({ headless: false, viewport: { width: 800, height: 600 } });
const viewer = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/lib/chromium/chromium',
  args: ['--no-sandbox'],
});
try {
  seen.urls = { live: target.browser_live_view_url, readOnly: target.live_view_read_only_url };
  const shown = await firstPage(target.cdp_ws_url);
  await shown.page.goto('data:text/html,' + encodeURIComponent(PAGE));
  await shown.page.bringToFront();

  const watching = { browser: viewer, context: await viewer.newContext({ viewport: { width: 1000, height: 700 } }) };
  const view = await watching.context.newPage();
  await openView(view, target.browser_live_view_url);

  // A process of the session draws a red window over the page: the view shows it.
  const logo = await kernel.browsers.process.spawn(target.session_id, {
    command: 'xlogo', args: ['-geometry', '120x120+30+30', '-bg', 'red', '-fg', 'red'],
  });
  await view.waitForFunction(([x, y]) => {
    const canvas = document.querySelector('#screen canvas');
    const [r, g, b] = canvas.getContext('2d').getImageData(x, y, 1, 1).data;
    return r === 255 && g === 0 && b === 0;
  }, [90, 90], { timeout: 30000 });
  seen.drawn = (await view.evaluate(onCanvas, [90, 90])).pixel;
  await kernel.browsers.process.kill(logo.process_id, { id: target.session_id, signal: 'KILL' });

  // A click in the view reaches the page.
  const point = (await view.evaluate(onCanvas, [400, 400])).at;
  await view.mouse.click(point.x, point.y);
  await shown.page.waitForFunction(() => document.title === 'clicks:1', null, { timeout: 20000 });
  seen.afterClick = await shown.page.title();

  // One in the read-only view does not; the next in the other view is the second.
  const readOnly = await watching.context.newPage();
  await openView(readOnly, target.live_view_read_only_url);
  seen.readOnlyStatus = await readOnly.textContent('#status');
  const roPoint = (await readOnly.evaluate(onCanvas, [400, 400])).at;
  await readOnly.mouse.click(roPoint.x, roPoint.y);
  await readOnly.keyboard.type('x');
  await view.bringToFront();
  await view.mouse.click(point.x, point.y);
  await shown.page.waitForFunction(() => document.title !== 'clicks:1', null, { timeout: 20000 });
  seen.afterReadOnlyClick = await shown.page.title();

  await shown.browser.close();
} finally {
  await viewer.close();
  await kernel.browsers.deleteByID(target.session_id);
}
console.log(JSON.stringify(seen));
