// Runs the official SDK against the server at KERNEL_BASE_URL with KERNEL_API_KEY and prints
// one JSON line of what it saw; the integration test asserts on it.
import Kernel from '@onkernel/sdk';
import { chromium } from 'playwright-core';

const client = new Kernel({ maxRetries: 0 });
const seen = {};

const created = await client.browsers.create({ name: 'sdk-check', headless: true, timeout_seconds: 120 });
const second = await client.browsers.create({});
seen.created = { id: created.session_id, name: created.name, headless: created.headless, cdp: created.cdp_ws_url };
seen.retrievedByName = (await client.browsers.retrieve('sdk-check')).session_id === created.session_id;

const listed = [];
for await (const browser of client.browsers.list({ limit: 1 })) {
  listed.push(browser.session_id);
}
seen.listedBoth = listed.includes(created.session_id) && listed.includes(second.session_id);

// The browser, as Kernel's users drive it: Playwright over the session's cdp_ws_url.
const browser = await chromium.connectOverCDP(created.cdp_ws_url);
const page = await (browser.contexts()[0] ?? (await browser.newContext())).newPage();
await page.goto('data:text/html,<title>Driven by Playwright</title>');
seen.playwright = { title: await page.title(), version: browser.version() };
await browser.close();
seen.afterPlaywright = (await client.browsers.retrieve(created.session_id)).browser_state;

const exec = await client.browsers.process.exec(created.session_id, { command: 'uname', args: ['-s'] });
seen.exec = { exit: exec.exit_code, stdout: Buffer.from(exec.stdout_b64, 'base64').toString() };

const shell = await client.browsers.process.exec(created.session_id, {
  command: 'echo "$GREETING" && exit 7',
  env: { GREETING: 'from the sdk' },
  timeout_sec: 10,
});
seen.shell = { exit: shell.exit_code, stdout: Buffer.from(shell.stdout_b64, 'base64').toString() };

// Files, as Kernel's SDK moves them: every call of browsers.fs.
const fs = client.browsers.fs;
const id = created.session_id;
const dir = `/tmp/sdk-fs-${id}`;
await fs.createDirectory(id, { path: `${dir}/sub`, mode: '750' });
await fs.writeFile(id, 'written by the sdk', { path: `${dir}/a.txt`, mode: '640' });
seen.fs = { read: await (await fs.readFile(id, { path: `${dir}/a.txt` })).text() };
seen.fs.info = await fs.fileInfo(id, { path: `${dir}/a.txt` });
// The second file's bytes come before its path: the SDK sends fields in the object's order.
await fs.upload(id, {
  files: [
    { dest_path: `${dir}/up/one.txt`, file: new File(['one'], 'one.txt') },
    { file: new File(['two'], 'two.txt'), dest_path: `${dir}/up/two.txt` },
  ],
});
await fs.move(id, { src_path: `${dir}/up/two.txt`, dest_path: `${dir}/two.txt` });
await fs.setFilePermissions(id, { path: `${dir}/two.txt`, mode: '600' });
seen.fs.list = (await fs.listFiles(id, { path: dir })).map((f) => `${f.name} ${f.mode} ${f.is_dir} ${f.size_bytes}`);
const zip = Buffer.from(await (await fs.downloadDirZip(id, { path: `${dir}/up` })).arrayBuffer());
seen.fs.zipMagic = zip.subarray(0, 2).toString();
await fs.uploadZip(id, { dest_path: `${dir}/unzipped`, zip_file: new File([zip], 'up.zip') });
seen.fs.unzipped = (await fs.listFiles(id, { path: `${dir}/unzipped` })).map((f) => f.name);
const { watch_id } = await fs.watch.start(id, { path: dir, recursive: true });
const events = await fs.watch.events(watch_id, { id });
await client.browsers.process.exec(id, { command: `echo hi > ${dir}/sub/from-exec.txt` });
for await (const event of events) {
  if (event.name === 'from-exec.txt') {
    seen.fs.watched = event;
    break;
  }
}
await fs.watch.stop(watch_id, { id });
await fs.deleteFile(id, { path: `${dir}/a.txt` });
try {
  await fs.readFile(id, { path: `${dir}/a.txt` });
} catch (e) {
  seen.fs.missing = { status: e.status, code: e.error?.code };
}
await fs.deleteDirectory(id, { path: dir });
seen.fs.afterDelete = (await client.browsers.process.exec(id, { command: `test -e ${dir}` })).exit_code;

try {
  await client.browsers.process.exec(created.session_id, { command: 'no-such-command-zz' });
} catch (e) {
  seen.badCommand = { status: e.status, code: e.error?.code, retry: e.headers?.get?.('x-should-retry') ?? e.headers?.['x-should-retry'] };
}

await client.browsers.deleteByID(created.session_id);
await client.browsers.deleteByID(second.session_id);
try {
  await client.browsers.retrieve(created.session_id);
} catch (e) {
  seen.afterDelete = { status: e.status, name: e.constructor.name };
}

const unauthenticated = new Kernel({ apiKey: 'wrong', maxRetries: 0 });
try {
  await unauthenticated.browsers.list();
} catch (e) {
  seen.wrongKey = { status: e.status, name: e.constructor.name };
}

console.log(JSON.stringify(seen));
