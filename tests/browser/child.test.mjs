// Browser tests of the child's page (issue 18): playwright-core drives
// Debian's chromium, headless, at 1366x768 and 768x1024. Prints TAP;
// screenshots go to OUTDIR.
// Usage: node child.test.mjs BASE_URL OUTDIR PERSON_ID
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';

const [base, outdir, pid] = process.argv.slice(2);
mkdirSync(outdir, { recursive: true });
let n = 0, failed = 0;
function ok(cond, desc) {
  n++;
  if (cond) console.log(`ok ${n} - ${desc}`);
  else { failed++; console.log(`not ok ${n} - ${desc}`); }
}
async function check(desc, fn) {
  try { ok(await fn(), desc); } catch (e) { ok(false, desc + ' (' + String(e.message).split('\n')[0] + ')'); }
}

// A step that throws outside check() (a selector that never came, a page that
// crashed) is reported as a failed case with its message and the last passed
// case, so a CI log names the step, instead of node's bare exit status 1.
function crashed(e) {
  failed++;
  console.log(`not ok ${++n} - the run stopped after case ${n - 1}: ` + String(e && e.message || e).split('\n')[0]);
  console.log(`1..${n}`);
  process.exit(1);
}
process.on('uncaughtException', crashed);
process.on('unhandledRejection', crashed);
// A loaded CI machine (two test processes and the sanitizer builds on two
// cores) can take well over playwright's 30 s default for one step.
const STEP_MS = Number(process.env.JD_BROWSER_STEP_MS || 60000);

let browser;
try {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
} catch (e) {
  console.log('1..0 # SKIP chromium cannot start: ' + String(e.message).split('\n')[0]);
  process.exit(0);
}

const external = [], cspErrors = [], pageErrors = [];
async function session(role, viewport) {
  const ctx = await browser.newContext({ viewport, acceptDownloads: true });
  ctx.setDefaultTimeout(STEP_MS);
  ctx.setDefaultNavigationTimeout(STEP_MS);
  const page = await ctx.newPage();
  page.on('request', r => { if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) external.push(r.url()); });
  page.on('console', m => { if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text()); });
  page.on('pageerror', e => pageErrors.push(e.message));
  await page.goto(base + '/');
  await page.waitForSelector('#username');
  await page.fill('#username', role);
  await page.fill('#password', `password-of-${role}-1`);
  await page.press('#password', 'Enter');
  await page.waitForSelector('#logout');
  return { ctx, page };
}
const shot = (page, name, full = false) => page.screenshot({ path: `${outdir}/${name}.png`, fullPage: full });
// page.waitForFunction evaluates strings, which the CSP (no unsafe-eval) refuses: poll instead.
async function W(page, fn, arg, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await page.evaluate(fn, arg)) return;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise(r => setTimeout(r, 100));
  }
}

// Open her page: the reason first, then the page drawn whole.
async function openChild(page) {
  await page.goto(base + '/#/search');
  await page.waitForSelector('h1');
  await page.goto(base + '/#/person/' + pid);
  await page.waitForSelector('#reason');
  await page.fill('#reason', 'Strategy meeting on Monday');
  const t0 = Date.now();
  await page.press('#reason', 'Enter');
  await page.waitForSelector('#chronology[data-drawn-ms]', { timeout: STEP_MS });
  return { wall: Date.now() - t0, drawn: +(await page.getAttribute('#chronology', 'data-drawn-ms')) };
}

const CODE = /\b[VMSTCL]\d\d\b|\bM-R\d\b|\bR-C\d\b|\bT\d\b/;
const ISO = /\d{4}-\d\d-\d\d(T\d\d:\d\d)?/;

for (const [vw, vh, tag] of [[1366, 768, 'desktop'], [768, 1024, 'tablet']]) {
  const { ctx, page } = await session('practitioner', { width: vw, height: vh });
  // warm the browser's module cache once, as a second visit would be
  const first = await openChild(page);
  await page.evaluate(() => sessionStorage.clear());
  const t = await openChild(page);
  await shot(page, `child-${tag}-01-top`);
  await shot(page, `child-${tag}-02-whole`, true);
  // The 500 ms target is measured with JD_TIMING=1 (see bench/child_page_bench.sh); a
  // test on a loaded CI machine asserts 3 s, which still catches a page that
  // stalls; a sanitizer build (JD_TIMING=0) only reports.
  const limit = process.env.JD_TIMING === '1' ? 500 : 3000, timed = process.env.JD_TIMING !== '0';
  await check(`${tag}: her page is fully drawn in under ${limit} ms (${t.drawn} ms in the page, ${t.wall} ms from the reason; first visit ${first.drawn} ms)` +
    (timed ? '' : ' (sanitizer build: reported, not asserted)'), async () => !timed || t.drawn < limit);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await check(`${tag}: her page is under 6,000 px tall before any expansion (${height} px)`, async () => height < 6000);
  await check(`${tag}: name, level, age now and the agencies that know her, with colours`, async () => {
    const h1 = await page.textContent('h1');
    const facts = await page.textContent('.facts');
    const chips = await page.$$eval('#agencies li', l => l.map(x => [x.textContent, getComputedStyle(x.querySelector('.swatch')).backgroundColor]));
    return h1 === 'Ava Wilson' && /born 29\/12\/1991 · \d+ today/.test(facts) && chips.length >= 8 &&
      new Set(chips.map(c => c[1])).size === chips.length && chips.every(c => !c[0].includes('_'));
  });
  const text = await page.innerText('main');
  await check(`${tag}: no internal id, code word or ISO timestamp shown on the page`, async () =>
    !/P0\d{4}/.test(text) && !/auto:/.test(text) && !ISO.test(text) && !/\b[a-z]+_[a-z_]+\b/.test(text));
  const sum = await page.innerText('#summary');
  await check(`${tag}: the summary names the facts behind her level in plain words, with no rule code`, async () =>
    !CODE.test(sum) && /critical/.test(await page.textContent('#why-h')) &&
    sum.includes('held, locked in, kept or taken by adults') && sum.includes('07/11/2006 (aged 14)') &&
    sum.includes('went missing') && sum.includes('return interview') && sum.includes('not recorded as crimes') &&
    sum.split(/(?<=\.)\s+(?=[A-Z0-9])/).length >= 3);
  if (tag === 'desktop') {
    await page.click('#show-codes');
    await check('codes on demand: "Show the rule codes" shows them beside each sentence', async () =>
      (await page.innerText('#summary')).includes('T2') && (await page.getAttribute('#show-codes', 'aria-pressed')) === 'true');
    await page.click('#show-codes');
    await check('alerts grouped by kind, one line each ("49 return interviews not held within 72 hours")', async () => {
      const lines = await page.$$eval('#alert-groups > li > details > summary', l => l.map(x => x.textContent));
      return lines.length <= 8 && lines.some(l => /49 return interviews not held within 72 hours/.test(l));
    });
    await page.click('#alert-groups > li:nth-child(5) > details > summary');
    await check('a group opens to its alerts', async () => (await page.$$eval('#alert-groups details[open] .alert-list > li', l => l.length)) > 1);
    await page.click('#alert-groups > li:nth-child(5) > details > summary');
    await check('the risk chart spans her records (2004 to 2011), not to today', async () => {
      const years = await page.$$eval('#risk-chart text', l => l.map(x => x.textContent).filter(x => /^\d{4}$/.test(x)));
      return years.includes('2005') && years.includes('2011') && !years.includes('2020');
    });
    await check('the level changes are marked with their reasons', async () => {
      const marks = await page.$$eval('#risk-chart g.change', l => l.map(g => g.getAttribute('aria-label')));
      const list = await page.innerText('#level-changes');
      return marks.length === 2 && marks[1].startsWith('critical from 07/11/2006') && list.includes('older boyfriend') && !CODE.test(list);
    });
    const r0 = await page.textContent('#chart-range');
    await page.click('#zoom-in');
    const r1 = await page.textContent('#chart-range');
    await check(`zoom in on the chart (${r0} -> ${r1})`, async () => r0 !== r1);
    await page.click('#zoom-reset');
    await check('and back to the whole span', async () => (await page.textContent('#chart-range')) === r0);
    // the chronology
    await check('the chronology is a compact table, one line per event, 50 to a page', async () => {
      const rows = await page.$$eval('#timeline tr.ev', l => l.map(r => r.getBoundingClientRect().height));
      return rows.length === 50 && Math.max(...rows) < 48;
    });
    await check('each line: date, age, agency colour, type, text with flagged words marked, significant flagged', async () => {
      const r = await page.$eval('#timeline tr.ev', tr => [...tr.cells].map(c => c.innerText));
      const marks = await page.$$eval('#timeline mark', l => l.length);
      const sig = await page.$$eval('#timeline tr.significant .sig', l => l.length);
      return /^\d\d\/\d\d\/\d{4}$/.test(r[0]) && /^\d+$/.test(r[1]) && r[2].length > 1 && r[3].length > 1 && marks > 0 && sig > 0;
    });
    const c0 = await page.textContent('#count');
    await page.check('#only-flagged');
    await W(page, c => document.getElementById('count').textContent !== c, c0);
    const c1 = await page.textContent('#count');
    await check(`filter to significant events (${c0} -> ${c1})`, async () => parseInt(c1.split(' of ')[1]) < 495);
    await page.uncheck('#only-flagged');
    await W(page, c => document.getElementById('count').textContent !== c, c1);
    await page.uncheck('.agency-boxes label:has-text("Police") input');
    await W(page, c => !document.getElementById('count').textContent.endsWith(' 495'), null);
    const c2 = await page.textContent('#count');
    await check(`filter by agency (${c2})`, async () => parseInt(c2.split(' of ')[1]) < 495 &&
      (await page.$$eval('#timeline tr.ev', l => l.every(r => r.dataset.agency !== 'police'))));
    await page.check('.agency-boxes label:has-text("Police") input');
    await W(page, () => document.getElementById('count').textContent.endsWith(' 495'), null);
    await page.selectOption('#indicator', 'S03');
    await W(page, () => !document.getElementById('count').textContent.endsWith(' 495'), null);
    const c3 = await page.textContent('#count');
    await check(`filter by sign: in and out of vehicles driven by unknown adults (${c3})`, async () =>
      parseInt(c3.split(' of ')[1]) < 495 && (await page.$$eval('#indicator option', o => o.length)) > 5);
    await page.selectOption('#indicator', '');
    await W(page, () => document.getElementById('count').textContent.endsWith(' 495'), null);
    await page.fill('#from', '01/01/2005');
    await page.fill('#to', '31/12/2005');
    await page.press('#to', 'Tab');
    // both ends apply (the list is drawn again after each): wait for the last drawing
    await W(page, () => !document.getElementById('count').textContent.endsWith(' 495') &&
      [...document.querySelectorAll('#timeline tr.ev td.c-date')].every(td => td.textContent.endsWith('/2005')), null).catch(() => {});
    await check('filter by date range (DD/MM/YYYY)', async () =>
      (await page.$$eval('#timeline tr.ev td.c-date', l => l.every(td => td.textContent.endsWith('/2005')))));
    await page.fill('#from', ''); await page.fill('#to', ''); await page.press('#to', 'Tab');
    await page.fill('#from', ''); await page.press('#from', 'Tab');
    await W(page, () => document.getElementById('count').textContent.endsWith(' 495'), null);
    await page.fill('#chron-q', 'takeaway');
    await W(page, () => !document.getElementById('count').textContent.endsWith(' 495'), null);
    await check('filter by text (in the text or the place)', async () =>
      (await page.$$eval('#timeline tr.ev', l => l.length > 0 && l.every(tr => /takeaway/i.test(tr.textContent + tr.nextElementSibling.textContent)))));
    await page.fill('#chron-q', '');
    await W(page, () => document.getElementById('count').textContent.endsWith(' 495'), null);
    const newest = await page.textContent('#timeline tr.ev td.c-date');
    await page.selectOption('#order', 'oldest');
    await W(page, d => document.querySelector('#timeline tr.ev td.c-date').textContent !== d, newest);
    await check(`newest first, then oldest first (${newest} / ${await page.textContent('#timeline tr.ev td.c-date')})`, async () =>
      (await page.textContent('#timeline tr.ev td.c-date')) === '01/09/2004');
    await page.click('#next');
    await W(page, () => document.getElementById('count').textContent.startsWith('Events 51 to 100'), null);
    await check('paged on the server: the next page', async () => (await page.textContent('#count')).startsWith('Events 51 to 100 of 495'));
    await page.click('#timeline tr.ev');
    await check('a line opens to the whole record (source, signs, others)', async () =>
      (await page.isVisible('#timeline tr.ev-detail:not([hidden])')) &&
      /record/.test(await page.textContent('#timeline tr.ev-detail:not([hidden])')));
    await shot(page, 'child-desktop-03-chronology-open');
    // print: every filtered event goes to paper, then the page is as it was
    await page.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed = document.querySelectorAll('#timeline tr.ev').length; }; });
    await page.click('#print');
    await W(page, () => window.__printed > 0 && document.querySelectorAll('#timeline tr.ev').length === 50);
    const printed = await page.evaluate(() => window.__printed);
    await check(`Print puts every filtered event on paper (${printed}), then the page is paged again`, async () => printed === 495);
    await page.emulateMedia({ media: 'print' });
    await check('print stylesheet: no menu, filters or buttons; the table in full', async () =>
      !(await page.isVisible('header.top')) && !(await page.isVisible('.filters')) && !(await page.isVisible('#export-pdf')) &&
      (await page.isVisible('#chronology')));
    await page.emulateMedia({ media: 'screen' });
    // the PDF for a strategy meeting
    await page.click('#export-pdf');
    await page.waitForSelector('#export-dialog');
    await shot(page, 'child-desktop-04-export');
    await page.check('#redact-all');
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: STEP_MS }), page.click('#export-go')]);
    const file = await dl.path();
    const pdf = readFileSync(file);
    await check(`the PDF downloads (${pdf.length} bytes, ${dl.suggestedFilename()})`, async () =>
      pdf.subarray(0, 5).toString() === '%PDF-' && /\.pdf$/.test(dl.suggestedFilename()));
    await check('the export dialog is gone after the download', async () => (await page.$$('dialog')).length === 0);
    // a note, with the second look
    await page.click('#write-note');
    await page.waitForSelector('#child-note');
    await page.fill('#child-note', 'Saw Ava; she is prostituting herself again.');
    await page.click('#note-save');
    await page.waitForSelector('#note-second-look .second-look');
    const look = await page.textContent('#note-second-look');
    await check(`a note with wording that blames her asks for a second look before it is saved (${look.slice(0, 120)})`, async () =>
      look.includes('Look again') && /prostitut/.test(look) && (await page.isVisible('#note-confirm')));
    await shot(page, 'child-desktop-05-note-second-look');
    await page.fill('#child-note', 'Saw Ava; adults are sexually exploiting her. Police informed.');
    await page.click('#note-save');
    await check('a note in plain words is saved to her record', async () => {
      await W(page, () => /Note saved/.test(document.getElementById('status').textContent));
      return true;
    });
    await page.waitForSelector('#chronology[data-drawn-ms]', { timeout: STEP_MS });
    await check('and shows in her chronology as a joindots note', async () => {
      const r = await page.$eval('#timeline tr.ev', tr => tr.innerText);
      return r.includes('joindots note') && r.includes('Police informed');
    });
    // an acknowledgement with flagged wording
    await page.goto(base + '/#/alerts');
    await page.waitForSelector('#alert-table button.ack');
    await page.click('#alert-table button.ack');
    await page.waitForSelector('#ack-note');
    await page.fill('#ack-note', 'She is prostituting herself, no action.');
    await page.click('#ack-save');
    await page.waitForSelector('#ack-second-look .second-look');
    await check('an acknowledgement with flagged wording asks for a second look', async () => (await page.isVisible('#ack-confirm')));
    await page.check('#ack-confirm');
    await page.click('#ack-save');
    await check('and is saved once the user has looked again', async () => {
      await W(page, () => /acknowledged/.test(document.getElementById('status').textContent));
      return true;
    });
  } else {
    await check('tablet: the chronology fits the width and its buttons can be reached', async () => {
      const tw = await page.$eval('#chronology', t => t.getBoundingClientRect().right);
      const b = await page.$eval('#export-pdf', x => x.getBoundingClientRect());
      return tw <= 768 && b.right <= 768 && b.width > 0 && (await page.evaluate(() => document.documentElement.scrollWidth)) <= 768;
    });
  }
  await ctx.close();
}

// ---- who may not see her ----
{
  const { ctx, page } = await session('board', { width: 1366, height: 768 });
  await page.goto(base + '/#/person/' + pid);
  // the router refuses a page the role does not list (#not-available); the
  // page itself refuses too if reached (#person-refused)
  await page.waitForSelector('#person-refused, #not-available, #reason');
  await check('the board is refused at once, before any reason is asked', async () => (await page.$('#reason')) === null &&
    /does not give access|not part of your role/.test(await page.textContent('#person-refused, #not-available')));
  await shot(page, 'child-board-refused');
  await ctx.close();
}
{
  const { ctx, page } = await session('outsider', { width: 1366, height: 768 });
  await page.goto(base + '/#/person/' + pid);
  await page.waitForSelector('#reason');
  await page.fill('#reason', 'curious');
  await page.press('#reason', 'Enter');
  await page.waitForSelector('main .error');
  await check('a practitioner of an agency that does not know her is told there is no such person known to them', async () =>
    (await page.textContent('main .error')).includes('No such person known to your agency'));
  await ctx.close();
}

ok(external.length === 0, 'no external requests' + (external.length ? ': ' + external.slice(0, 3).join(' ') : ''));
ok(cspErrors.length === 0, 'no content security policy violation' + (cspErrors.length ? ': ' + cspErrors[0] : ''));
ok(pageErrors.length === 0, 'no script errors' + (pageErrors.length ? ': ' + pageErrors[0] : ''));
await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
