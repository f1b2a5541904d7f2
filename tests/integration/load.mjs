// A short, bounded load run against loopback: the child's page and the
// search, 4 concurrent clients, 3 seconds each. Prints requests per second
// and latency percentiles. Usage: node load.mjs BASE COOKIEJAR PERSON_ID
import { readFileSync } from 'node:fs';

const [base, jar, pid] = process.argv.slice(2);
if (!base.startsWith('http://127.0.0.1:')) throw new Error('loopback only');
const line = readFileSync(jar, 'utf8').split('\n').find(l => l.includes('jd_session'));
const cookie = 'jd_session=' + line.trim().split('\t').pop();

async function run(name, url, seconds = 3, clients = 4) {
  const lat = [];
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (Date.now() < end) {
      const s = performance.now();
      const r = await fetch(url, { headers: { cookie } });
      await r.arrayBuffer();
      if (!r.ok) errors++;
      lat.push(performance.now() - s);
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const p = q => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))].toFixed(1);
  console.log(`${name}: ${lat.length} requests in ${secs.toFixed(1)} s = ${(lat.length / secs).toFixed(1)} req/s;` +
    ` p50 ${p(0.5)} ms, p99 ${p(0.99)} ms; errors ${errors}`);
  return errors;
}

const e1 = await run("child's page (2,000 events)", `${base}/api/persons/${encodeURIComponent(pid)}?reason=load%20test`);
const e2 = await run('search "zara quill"', `${base}/api/search?q=zara%20quill`);
const e3 = await run('search "smith"', `${base}/api/search?q=smith`);
process.exit(e1 + e2 + e3 ? 1 : 0);
