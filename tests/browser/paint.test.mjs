// Time to first paint of what a busy practitioner opens first (issue 17):
// the child's page and the alert queue, in headless chromium against a
// running `joindots serve` (bench/paint_bench.sh starts one on a county).
// For each page, RUNS times after one warm-up visit: first contentful paint
// (the browser's), the time until the page's first content is drawn (the
// child's name and summary; the queue's first row) and until it is whole
// (the child's first page of events). Prints TAP with the medians.
// Usage: node paint.test.mjs BASE_URL USER PASSWORD PERSON_ID [RUNS]
import { chromium } from 'playwright-core';

const [base, user, password, pid, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 5);
let n = 0, failed = 0;
function ok(cond, desc) {
  n++;
  if (cond) console.log(`ok ${n} - ${desc}`);
  else { failed++; console.log(`not ok ${n} - ${desc}`); }
}
let browser;
try {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
} catch (e) {
  console.log('1..0 # SKIP chromium cannot start: ' + String(e.message).split('\n')[0]);
  process.exit(0);
}
const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
ctx.setDefaultTimeout(60000);
const page = await ctx.newPage();
await page.goto(base + '/');
await page.waitForSelector('#username');
await page.fill('#username', user);
await page.fill('#password', password);
await page.press('#password', 'Enter');
await page.waitForSelector('#logout');

const median = v => { const s = v.slice().sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
// One visit of a route in a fresh document: paint entries and the times of
// the selectors, from the navigation's start.
async function visit(hash, first, whole) {
  await page.goto('about:blank');
  if (pid) await page.addInitScript(([id]) => sessionStorage.setItem('reason:' + id, 'paint bench'), [pid]);
  const t0 = Date.now();
  await page.goto(base + '/' + hash);
  await page.waitForSelector(first);
  const tFirst = Date.now() - t0;
  await page.waitForSelector(whole);
  const tWhole = Date.now() - t0;
  const fcp = await page.evaluate(() => {
    const e = performance.getEntriesByName('first-contentful-paint')[0];
    return e ? Math.round(e.startTime) : -1;
  });
  return { fcp, first: tFirst, whole: tWhole };
}
async function measure(label, hash, first, whole) {
  await visit(hash, first, whole); // warm: the modules in the browser's cache
  const r = [];
  for (let i = 0; i < runs; i++) r.push(await visit(hash, first, whole));
  const m = k => median(r.map(x => x[k]));
  ok(m('whole') > 0, `${label}: first contentful paint ${m('fcp')} ms, first content ${m('first')} ms,` +
    ` whole ${m('whole')} ms (medians of ${runs}: ${r.map(x => x.whole).join(' ')})`);
}
await measure('child page', '#/person/' + encodeURIComponent(pid), '#summary', '#chronology[data-drawn-ms]');
await measure('alert queue', '#/alerts', '#alert-table tbody tr', '#alert-table tbody tr');
await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
