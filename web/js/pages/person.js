// A child's (or person's) page, top first (issue 18): who she is and who
// knows her, in plain words why she is at her level, the alerts grouped by
// kind, the risk chart over the span of her records, then the chronology
// as a compact table; a PDF of the filtered chronology for a strategy
// meeting or court, print, and a note attached to her.
// Contract (web/js/pages): export default async function render(ctx).
import { h, clear, level } from '../dom.js';
import { get } from '../api.js';
import { ukDate, ageAt } from '../format.js';
import { agencyColour } from '../components/child-agency.js';
import { riskChart } from '../components/child-chart.js';
import { chronology } from '../components/child-chronology.js';
import { noteDialog } from '../components/child-note.js';
import { exportDialog } from '../components/child-export.js';

// One line per kind of alert: a count in words, opened for the list.
const KINDS = {
  child_at_risk: [n => 'Risk level', 1],
  exploitation_network: [n => n === 1 ? 'Linked to an exploitation network' : `Linked to ${n} exploitation networks`, 2],
  unrecorded_crime: [n => n === 1 ? '1 disclosure not recorded as a crime' : `${n} disclosures not recorded as crimes`, 3],
  missing_pattern: [n => 'A pattern of going missing', 4],
  overdue_return_interview: [n => n === 1 ? '1 return interview not held within 72 hours' : `${n} return interviews not held within 72 hours`, 5],
  escalation: [n => n === 1 ? '1 record graded or handled below what the rules need' : `${n} records graded or handled below what the rules need`, 6],
  language: [n => n === 1 ? '1 record with wording that blames the child' : `${n} records with wording that blames the child`, 7],
};
const RANK = ['none', 'low', 'medium', 'high', 'critical'];

function alertGroups(alerts) {
  const by = new Map();
  for (const a of alerts) {
    if (!by.has(a.kind)) by.set(a.kind, []);
    by.get(a.kind).push(a);
  }
  const kinds = [...by.keys()].sort((a, b) => (KINDS[a] ? KINDS[a][1] : 99) - (KINDS[b] ? KINDS[b][1] : 99));
  if (!kinds.length) return h('p', {}, 'No alerts.');
  return h('ul', { class: 'alert-groups', id: 'alert-groups' }, kinds.map(k => {
    const list = by.get(k).slice().sort((a, b) => (b.raised_at || '').localeCompare(a.raised_at || ''));
    const top = list.reduce((m, a) => Math.max(m, RANK.indexOf(a.level)), 0);
    const label = KINDS[k] ? KINDS[k][0](list.length) : k.replace(/_/g, ' ') + ' (' + list.length + ')';
    return h('li', {}, h('details', {},
      h('summary', {}, level(RANK[top]), ' ', label, h('span', { class: 'muted' },
        list.length > 1 ? ' · latest ' + ukDate(list[0].raised_at) : ' · ' + ukDate(list[0].raised_at))),
      h('ul', { class: 'alert-list' }, list.map(a => h('li', {}, level(a.level), ' ', ukDate(a.raised_at),
        (a.records || []).length ? ' · ' + a.records.slice(0, 4).map(r => r.agency.replace(/_/g, ' ') + ' ' + r.record_id).join(', ') +
          (a.records.length > 4 ? ' and ' + (a.records.length - 4) + ' more' : '') : '',
        h('details', { class: 'rule-text' }, h('summary', {}, 'The rules’ own words'),
          h('ul', {}, (a.explanation || []).map(x => h('li', {}, x)))))))));
  }));
}

function askReason(ctx, who, onReason) {
  const r = h('input', { type: 'text', id: 'reason', name: 'reason', minlength: 3, maxlength: 300, required: true });
  const form = h('form', { class: 'card', onsubmit: (ev) => { ev.preventDefault(); onReason(r.value); } },
    h('p', {}, 'You are opening ' + who + '. Say why you need it: the reason is recorded with your name.'),
    h('label', { for: 'reason' }, 'Reason'), r,
    h('p', {}, h('button', { type: 'submit' }, 'Open the record')));
  ctx.page('Why do you need this record?', form);
  r.focus();
}

// The signs for the chronology's filter, from the risk alert's own lines
// ("S01 Missing overnight ... (significant, ...): ...").
function signsOf(alerts) {
  const car = alerts.find(a => a.kind === 'child_at_risk');
  const out = [];
  for (const line of (car && car.explanation) || []) {
    const m = /^([VMST]\d\d) ([^(;:]+)/.exec(line);
    if (m) out.push({ code: m[1], name: m[2].trim() });
  }
  return out;
}

export default async function render(ctx) {
  const id = decodeURIComponent((ctx.args && ctx.args[0]) || '');
  // Roles that never see a person's record are told so before any reason is asked.
  if (ctx.me && !['practitioner', 'analyst', 'manager'].includes(ctx.me.role)) {
    ctx.page('Not available', h('p', { class: 'error', role: 'alert', id: 'person-refused' },
      'Your role does not give access to a person\'s record.'));
    return;
  }
  const key = 'reason:' + id;
  let reason = sessionStorage.getItem(key);
  if (!reason) {
    return askReason(ctx, 'a record', (r) => { sessionStorage.setItem(key, r); render(ctx); });
  }
  const t0 = performance.now();
  ctx.page('Loading…');
  const opt = { signal: ctx.signal };
  const base = '/api/persons/' + encodeURIComponent(id);
  let sum, al;
  try {
    [sum, al] = await Promise.all([get(base + '/summary', { reason }, opt), get(base + '/alerts', { reason }, opt)]);
  } catch (e) {
    if (ctx.signal && ctx.signal.aborted) return;
    if (e.code === 'reason_required') { sessionStorage.removeItem(key); return render(ctx); }
    ctx.page('Record');
    return ctx.showError(e);
  }
  if (ctx.signal && ctx.signal.aborted) return;
  const first = (sum.name || '').split(' ')[0] || 'this person';
  const ageNow = sum.age_now !== null && sum.age_now !== undefined ? sum.age_now : ageAt(sum.dob);

  const chips = h('ul', { class: 'agencies', id: 'agencies', 'aria-label': 'Agencies that know ' + first },
    sum.agencies.map(a => {
      const dot = h('span', { class: 'swatch' });
      dot.style.background = agencyColour(a.code);
      return h('li', {}, dot, a.label);
    }));
  const facts = h('p', { class: 'facts' }, (sum.is_child ? 'Child' : 'Person'),
    sum.dob ? ' · born ' + ukDate(sum.dob) + (ageNow !== null ? ' · ' + ageNow + ' today' : '') : ' · date of birth not known',
    sum.events ? ' · ' + sum.events + ' records from ' + ukDate(sum.first_event_at) + ' to ' + ukDate(sum.last_event_at) : '');

  const codesBtn = h('button', { type: 'button', class: 'secondary small no-print', id: 'show-codes', 'aria-pressed': 'false',
    onclick: () => {
      const on = !ctx.main.classList.contains('show-codes');
      ctx.main.classList.toggle('show-codes', on);
      codesBtn.setAttribute('aria-pressed', String(on));
      codesBtn.textContent = on ? 'Hide the rule codes' : 'Show the rule codes';
    } }, 'Show the rule codes');
  const summary = h('section', { class: 'card summary', 'aria-labelledby': 'why-h' },
    h('div', { class: 'row spread' }, h('h2', { id: 'why-h' }, sum.level !== 'none' ? 'Why ' + first + ' is at ' + sum.level + ' risk' : 'Summary'), codesBtn),
    h('div', { id: 'summary' }, sum.summary.map(x => h('p', {}, x.text, h('span', { class: 'codes' }, ' [' + x.codes + ']')))),
    sum.current_level && sum.current_level !== sum.level ? h('p', { class: 'muted' },
      'The signs still within their time windows give ' + sum.current_level + ' today.') : '');

  const signs = signsOf(al.alerts);
  let lastQuery = {}, lastWords = [];
  const chron = chronology({ id, reason, agencies: sum.agencies, signs, signal: ctx.signal,
    onFilters: (q, w) => { lastQuery = q; lastWords = w; } });
  const actions = h('div', { class: 'row no-print actions' },
    h('button', { type: 'button', id: 'export-pdf', onclick: () => exportDialog({ ctx, id, reason, name: sum.name, query: lastQuery, words: lastWords, third: sum.third_parties }) }, 'PDF for a meeting or court'),
    h('button', { type: 'button', class: 'secondary', id: 'print', onclick: () => chron.print() }, 'Print'),
    h('button', { type: 'button', class: 'secondary', id: 'write-note', onclick: () => noteDialog({ ctx, id, name: sum.name, onSaved: () => chron.ready && render(ctx) }) }, 'Write a note'));

  ctx.page(sum.name || 'Unnamed person',
    h('div', { class: 'person-head' }, sum.level !== 'none' ? level(sum.level) : '', facts, chips),
    summary,
    h('section', { class: 'card', 'aria-labelledby': 'alerts-h' }, h('h2', { id: 'alerts-h' }, 'Alerts'), alertGroups(al.alerts)),
    h('section', { class: 'card', 'aria-labelledby': 'risk-h' }, h('h2', { id: 'risk-h' }, 'Risk level over time'), riskChart(sum)),
    h('section', { class: 'card', 'aria-labelledby': 'chron-h' }, h('div', { class: 'row spread' }, h('h2', { id: 'chron-h' }, 'Multi-agency chronology'), actions), chron.el));
  await chron.ready;
  if (ctx.signal && ctx.signal.aborted) return;
  // for the browser test: the page is whole (summary, alerts, chart, first page of events)
  const c = document.getElementById('chronology');
  if (c) c.dataset.drawnMs = String(Math.round(performance.now() - t0));
}
