// Kernel's log streams as its SDK reads them: the browser's own output, and a file of the session's
// followed while a process writes to it. Prints what it saw as one JSON line.
import Kernel from '@onkernel/sdk';

async function refusal(call) {
  try {
    const stream = await call();
    for await (const event of stream) break;
    return 'accepted';
  } catch (e) {
    return { status: e.status, code: e.error?.code, message: e.error?.message };
  }
}

const kernel = new Kernel();
const seen = {};
const browser = await kernel.browsers.create({ headless: true });
const id = browser.session_id;
const log = `${browser.work_dir ?? '/tmp'}/app-${id}.log`;
const sh = (script) => kernel.browsers.process.exec(id, { command: 'sh', args: ['-c', script] });
try {
  // What Chromium said so far, and the stream ends.
  const chromium = await kernel.browsers.logs.stream(id, { source: 'supervisor', supervisor_process: 'chromium', follow: false });
  seen.chromium = [];
  for await (const event of chromium) seen.chromium.push(event);

  // A file written before and while it is followed: the stream starts at its end.
  await sh(`echo before > ${log}`);
  const followed = await kernel.browsers.logs.stream(id, { source: 'path', path: log });
  const lines = followed[Symbol.asyncIterator]();
  await sh(`echo first >> ${log}; printf 'second\\nthird' >> ${log}`);
  seen.followed = [(await lines.next()).value, (await lines.next()).value];
  await lines.return();

  // Not followed: every line, the last one without its line break too.
  const whole = await kernel.browsers.logs.stream(id, { source: 'path', path: log, follow: false });
  seen.whole = [];
  for await (const event of whole) seen.whole.push(event.message);

  seen.missing = await refusal(() => kernel.browsers.logs.stream(id, { source: 'path', path: `${log}.none` }));
  seen.noPath = await refusal(() => kernel.browsers.logs.stream(id, { source: 'path' }));
  seen.xvfbHeadless = await refusal(() => kernel.browsers.logs.stream(id, { source: 'supervisor', supervisor_process: 'xvfb' }));
} finally {
  await kernel.browsers.deleteByID(id);
}
console.log(JSON.stringify(seen));
