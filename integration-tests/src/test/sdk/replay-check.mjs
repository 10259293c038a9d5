// Kernel's replays as its SDK calls them: a recording of a headful session while its page changes,
// stopped, listed and downloaded into REPLAY_OUT. Prints what it saw as one JSON line.
import Kernel from '@onkernel/sdk';
import { chromium } from 'playwright-core';
import fs from 'node:fs';

// Four colours, half a second each, then the title says it is done.
const PAGE = `<!doctype html><title>changing</title><body style="margin:0">
<script>
  const colours = ['rgb(200,30,40)', 'rgb(20,160,60)', 'rgb(30,60,200)', 'rgb(230,200,20)'];
  let n = 0;
  const next = () => {
    document.body.style.background = colours[n++];
    if (n < colours.length) setTimeout(next, 500); else setTimeout(() => document.title = 'done', 500);
  };
  next();
</script></body>`;

async function refusal(call) {
  try {
    await call();
    return 'accepted';
  } catch (e) {
    return { status: e.status, code: e.error?.code, message: e.error?.message };
  }
}

const kernel = new Kernel();
const seen = {};
const browser = await kernel.browsers.create({ headless: false, viewport: { width: 800, height: 600 } });
const id = browser.session_id;
try {
  const playwright = await chromium.connectOverCDP(browser.cdp_ws_url);
  const context = playwright.contexts()[0];
  const page = context.pages()[0] ?? (await context.newPage());

  seen.started = await kernel.browsers.replays.start(id, { framerate: 10 });
  await page.goto('data:text/html,' + encodeURIComponent(PAGE));
  await page.waitForFunction(() => document.title === 'done', null, { timeout: 30000 });

  seen.listedWhileRecording = await kernel.browsers.replays.list(id);
  seen.secondStart = await refusal(() => kernel.browsers.replays.start(id));
  seen.downloadWhileRecording = await refusal(() => kernel.browsers.replays.download(seen.started.replay_id, { id }));

  await kernel.browsers.replays.stop(seen.started.replay_id, { id });
  seen.listed = await kernel.browsers.replays.list(id);
  const response = await kernel.browsers.replays.download(seen.started.replay_id, { id });
  seen.contentType = response.headers.get('content-type');
  fs.writeFileSync(process.env.REPLAY_OUT, Buffer.from(await response.arrayBuffer()));

  seen.unknownReplay = await refusal(() => kernel.browsers.replays.stop('rp000000000000', { id }));
  seen.audio = await refusal(() => kernel.browsers.replays.start(id, { record_audio: true }));
  seen.framerate = await refusal(() => kernel.browsers.replays.start(id, { framerate: 0 }));
  await playwright.close();
} finally {
  await kernel.browsers.deleteByID(id);
}
console.log(JSON.stringify(seen));
