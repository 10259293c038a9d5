// A lean Node client for the benchmark: `node exec_client.mjs <http|fetch> <exec|get> <base-url>
// <token> <session> <warm-up calls> <calls> <concurrency>` makes the calls over keep-alive
// connections and prints "p50_ms p99_ms calls_per_second" of the calls after the warm-up ones.
// Built-ins only: nothing to install.
import http from 'node:http';

const [mode, what, base, token, session, warmUpArg, callsArg, concurrencyArg] = process.argv.slice(2);
const warmUp = Number(warmUpArg);
const calls = Number(callsArg);
const concurrency = Number(concurrencyArg);
const url = new URL(what === 'exec' ? `/browsers/${session}/process/exec` : `/browsers/${session}`, base);
const body = JSON.stringify({ command: '/bin/echo', args: ['hello'] });
const headers = { Authorization: `Bearer ${token}` };
if (what === 'exec') {
  headers['Content-Type'] = 'application/json';
  headers['Content-Length'] = Buffer.byteLength(body);
}
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function check(status, text) {
  if (status !== 200 || (what === 'exec' && !text.includes('"stdout_b64":"aGVsbG8K"'))) {
    throw new Error(`unexpected answer ${status}: ${text}`);
  }
}

function viaHttp() {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: what === 'exec' ? 'POST' : 'GET', headers, agent }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        try {
          check(response.statusCode, Buffer.concat(chunks).toString());
          resolve();
        } catch (e) {
          reject(e);
        }
      });
    });
    request.on('error', reject);
    if (what === 'exec') {
      request.write(body);
    }
    request.end();
  });
}

async function viaFetch() {
  const response = await fetch(url, what === 'exec' ? { method: 'POST', headers, body } : { headers });
  check(response.status, await response.text());
}

const call = mode === 'fetch' ? viaFetch : viaHttp;
for (let i = 0; i < warmUp; i++) {
  await call();
}
const latencies = new Float64Array(calls);
let next = 0;
async function worker() {
  for (let i = next++; i < calls; i = next++) {
    const t0 = process.hrtime.bigint();
    await call();
    latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
}
const t0 = process.hrtime.bigint();
await Promise.all(Array.from({ length: concurrency }, worker));
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
latencies.sort();
const at = (p) => latencies[Math.min(calls - 1, Math.floor((calls * p) / 100))];
console.log(`${at(50)} ${at(99)} ${calls / seconds}`);
agent.destroy();
