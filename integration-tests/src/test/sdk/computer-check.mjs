// A computer-use loop as an agent writes it against Kernel's SDK: screenshot, find what to click,
// click, type, press keys, screenshot again. Playwright only sets the page up and reads its state
// back. Prints what it saw as one JSON line.
import Kernel from '@onkernel/sdk';
import { chromium } from 'playwright-core';
import zlib from 'node:zlib';

const PAGE = `<!doctype html><title>waiting</title>
<body style="margin:0;background:#fff">
<div id="marker" style="position:absolute;left:600px;top:400px;width:40px;height:40px;background:rgb(10,200,30)"></div>
<input id="field" style="position:absolute;left:100px;top:100px;width:300px;height:40px;font-size:20px">
<button id="go" style="position:absolute;left:100px;top:200px;width:200px;height:60px"
  onclick="document.title='clicked:'+document.getElementById('field').value;
           document.getElementById('marker').style.background='rgb(20,40,220)'">Go</button>
<script>
  document.addEventListener('keydown', e => { if (e.ctrlKey && e.key === 'b') e.preventDefault(); });
  window.keys = [];
  document.addEventListener('keydown', e => window.keys.push((e.ctrlKey ? 'ctrl+' : '') + e.key));
  window.wheel = 0;
  document.addEventListener('wheel', e => { window.wheel += e.deltaY; });
</script></body>`;

// Just enough of PNG for 8-bit RGB or RGBA, any filter.
function decodePng(buffer) {
  let offset = 8;
  let width, height, channels;
  const data = [];
  while (offset < buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('ascii', offset + 4, offset + 8);
    const body = buffer.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      channels = body[9] === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      data.push(body);
    }
    offset += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i];
      const a = i >= channels ? pixels[y * stride + i - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + i] : 0;
      const c = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a
        : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predicted = [0, a, b, (a + b) >> 1, paeth][filter];
      pixels[y * stride + i] = (x + predicted) & 0xff;
    }
  }
  return { width, height, pixel: (x, y) => [...pixels.subarray(y * stride + x * channels, y * stride + x * channels + 3)] };
}

function find(image, [r, g, b]) {
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const [pr, pg, pb] = image.pixel(x, y);
      if (pr === r && pg === g && pb === b) return { x, y };
    }
  }
  return null;
}

async function screenshot(kernel, id, body) {
  const response = await kernel.browsers.computer.captureScreenshot(id, body);
  return { type: response.headers.get('content-type'), png: Buffer.from(await response.arrayBuffer()) };
}

const kernel = new Kernel();
const seen = {};
const browser = await kernel.browsers.create({ headless: false, viewport: { width: 1024, height: 768 } });
const id = browser.session_id;
try {
  const playwright = await chromium.connectOverCDP(browser.cdp_ws_url);
  const context = playwright.contexts()[0];
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto('data:text/html,' + encodeURIComponent(PAGE));
  await page.bringToFront();

  // Look: where on the screen is the page's marker?
  let marker = null;
  for (let tries = 0; tries < 50 && !marker; tries++) {
    const shot = await screenshot(kernel, id);
    seen.contentType = shot.type;
    const image = decodePng(shot.png);
    seen.size = [image.width, image.height];
    marker = find(image, [10, 200, 30]);
  }
  seen.marker = marker;
  // The page's origin on the screen, from where the marker is drawn on the page.
  const origin = { x: marker.x - 600, y: marker.y - 400 };

  // Click into the field, type, and press the button.
  await kernel.browsers.computer.clickMouse(id, { x: origin.x + 250, y: origin.y + 120 });
  await kernel.browsers.computer.typeText(id, { text: 'héllo wörld' });
  await kernel.browsers.computer.pressKey(id, { keys: ['BackSpace', 'd'] });
  await kernel.browsers.computer.clickMouse(id, { x: origin.x + 200, y: origin.y + 230 });
  await page.waitForFunction(() => document.title.startsWith('clicked:'), null, { timeout: 10000 });
  seen.title = await page.title();

  // Look again: the click turned the marker blue.
  const after = decodePng((await screenshot(kernel, id)).png);
  seen.markerAfter = after.pixel(marker.x + 20, marker.y + 20);
  const region = decodePng(
    (await screenshot(kernel, id, { region: { x: marker.x, y: marker.y, width: 40, height: 40 } })).png);
  seen.region = { size: [region.width, region.height], pixel: region.pixel(20, 20) };

  // The pointer, held keys, the wheel and a batch.
  await kernel.browsers.computer.moveMouse(id, { x: origin.x + 700, y: origin.y + 300 });
  seen.position = await kernel.browsers.computer.getMousePosition(id);
  await kernel.browsers.computer.moveMouse(id, { x: origin.x + 500, y: origin.y + 300, smooth: true, duration_ms: 200 });
  seen.smoothPosition = await kernel.browsers.computer.getMousePosition(id);
  await kernel.browsers.computer.pressKey(id, { keys: ['F2', 'ctrl+b'] });
  await kernel.browsers.computer.scroll(id, { x: origin.x + 500, y: origin.y + 300, delta_y: 3 });
  await kernel.browsers.computer.batch(id, {
    actions: [
      { type: 'click_mouse', click_mouse: { x: origin.x + 250, y: origin.y + 120, num_clicks: 3 } },
      { type: 'type_text', type_text: { text: 'batched' } },
      { type: 'sleep', sleep: { duration_ms: 50 } },
      { type: 'press_key', press_key: { keys: ['Home'], hold_keys: ['shift'] } },
      { type: 'type_text', type_text: { text: 'replaced' } },
      { type: 'drag_mouse', drag_mouse: { path: [[origin.x + 700, origin.y + 500], [origin.x + 800, origin.y + 550]], steps_per_segment: 2, step_delay_ms: 0 } },
    ],
  });
  await page.waitForFunction(() => document.getElementById('field').value === 'replaced', null, { timeout: 10000 });
  seen.field = await page.evaluate(() => document.getElementById('field').value);
  seen.keys = await page.evaluate(() => window.keys);
  seen.wheel = await page.evaluate(() => window.wheel);

  // A hidden pointer still clicks and types where it is sent.
  seen.cursorHidden = await kernel.browsers.computer.setCursorVisibility(id, { hidden: true });
  await kernel.browsers.computer.batch(id, {
    actions: [
      { type: 'set_cursor', set_cursor: { hidden: true } },
      // One click, and the keyboard to select: a triple click while unclutter hides the pointer
      // now and then counts as fewer (its window comes back under the pointer between them).
      { type: 'click_mouse', click_mouse: { x: origin.x + 250, y: origin.y + 120 } },
      { type: 'press_key', press_key: { keys: ['ctrl+a'] } },
      { type: 'type_text', type_text: { text: 'unseen' } },
    ],
  });
  await page.waitForFunction(() => document.getElementById('field').value === 'unseen', null, { timeout: 10000 });
  seen.typedHidden = await page.evaluate(() => document.getElementById('field').value);
  seen.cursorShown = await kernel.browsers.computer.setCursorVisibility(id, { hidden: false });

  // The clipboard both ways: pasted into the field, then copied out of it.
  await kernel.browsers.computer.writeClipboard(id, { text: 'from the clipboard ✓' });
  await kernel.browsers.computer.clickMouse(id, { x: origin.x + 250, y: origin.y + 120 });
  await kernel.browsers.computer.pressKey(id, { keys: ['ctrl+a', 'ctrl+v'] });
  await page.waitForFunction(() => document.getElementById('field').value === 'from the clipboard ✓', null, { timeout: 10000 });
  seen.pasted = await page.evaluate(() => document.getElementById('field').value);
  await kernel.browsers.computer.typeText(id, { text: ' and back' });
  await kernel.browsers.computer.pressKey(id, { keys: ['ctrl+a', 'ctrl+c'] });
  seen.copied = (await kernel.browsers.computer.readClipboard(id)).text;
  await kernel.browsers.computer.batch(id, {
    actions: [
      { type: 'press_key', press_key: { keys: ['ctrl+a'] } },
      { type: 'type_text', type_text: { text: 'replaced' } },
    ],
  });
  await page.waitForFunction(() => document.getElementById('field').value === 'replaced', null, { timeout: 10000 });

  // Playwright code run beside the browser, against the same page.
  const executed = await kernel.browsers.playwright.execute(id, {
    code: "console.log('from the code'); return { title: await page.title(), pages: context.pages().length };",
  });
  seen.playwright = executed;

  // Refusals, as the SDK raises them.
  for (const [name, call] of [
    ['unknownKey', () => kernel.browsers.computer.pressKey(id, { keys: ['Enter'] })],
    ['offScreen', () => kernel.browsers.computer.clickMouse(id, { x: 5000, y: 10 })],
    ['badBatch', () => kernel.browsers.computer.batch(id, {
      actions: [{ type: 'type_text', type_text: { text: 'never' } }, { type: 'press_key', press_key: { keys: ['Nope'] } }] })],
  ]) {
    try {
      await call();
      seen[name] = 'accepted';
    } catch (e) {
      seen[name] = { status: e.status, code: e.error?.code, message: e.error?.message };
    }
  }
  seen.fieldAfterRefusals = await page.evaluate(() => document.getElementById('field').value);
  await playwright.close();
} finally {
  await kernel.browsers.deleteByID(id);
}
console.log(JSON.stringify(seen));
