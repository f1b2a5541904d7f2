// A child's or person's page (route #/person/{id}). This is the page as it
// was in app.js, moved as it is; web-child's page replaces this file.
import { h, s, clear, level, when, marked } from '../dom.js';
import { get } from '../api.js';
import { askReason } from '../components/reason.js';

const LEVELS = ['none', 'low', 'medium', 'high', 'critical'];
function riskChart(alerts) {
  const car = alerts.find(a => a.kind === 'child_at_risk');
  const svg = s('svg', { class: 'chart', viewBox: '0 0 800 220', role: 'img',
    'aria-label': 'Risk level over time' });
  if (!car || !car.history || !car.history.length) {
    svg.append(s('text', { x: 20, y: 110 }, 'No risk level has been raised.'));
    return svg;
  }
  const steps = car.history.map(x => ({ t: Date.parse(x.raised_at), l: LEVELS.indexOf(x.level) }));
  const t0 = steps[0].t - 86400e3 * 30, t1 = Math.max(Date.now(), steps[steps.length - 1].t);
  const X = t => 60 + (t - t0) / (t1 - t0) * 720, Y = l => 190 - l * 40;
  for (let l = 0; l <= 4; l++) {
    svg.append(s('line', { x1: 60, x2: 780, y1: Y(l), y2: Y(l), stroke: '#e5e7eb' }),
      s('text', { x: 4, y: Y(l) + 4, 'font-size': 12, fill: '#59636e' }, LEVELS[l]));
  }
  let d = 'M' + X(t0) + ' ' + Y(0), cur = 0;
  for (const st of steps) { d += ' H' + X(st.t) + ' V' + Y(Math.max(cur, st.l)); cur = Math.max(cur, st.l); }
  d += ' H' + X(t1);
  svg.append(s('path', { d, fill: 'none', stroke: '#b3261e', 'stroke-width': 3 }));
  for (const st of steps) svg.append(s('circle', { cx: X(st.t), cy: Y(st.l), r: 4, fill: '#b3261e' },
    s('title', {}, LEVELS[st.l] + ' from ' + new Date(st.t).toISOString().slice(0, 10))));
  const y0 = new Date(t0).getUTCFullYear(), y1 = new Date(t1).getUTCFullYear();
  const every = Math.max(1, Math.ceil((y1 - y0) / 10));
  for (let y = y0 + 1; y <= y1; y += every) {
    const x = X(Date.UTC(y, 0, 1));
    svg.append(s('text', { x: x - 14, y: 212, 'font-size': 12, fill: '#59636e' }, String(y)));
  }
  return svg;
}

function eventItem(ev) {
  const ranges = ev.findings.map(f => ({ offset: f.offset, length: f.length,
    cls: f.rule.startsWith('L') ? 'lang' : '', title: f.rule + ': ' + f.name }));
  const li = h('li', { class: ev.findings.length ? 'flagged' : '', 'data-agency': ev.agency },
    h('div', {}, h('span', { class: 'when' }, when(ev.occurred_at)), ' ',
      h('span', { class: 'tag' }, ev.agency), h('span', { class: 'tag' }, ev.event_type),
      ev.role ? h('span', { class: 'muted' }, ' as ' + ev.role) : '',
      ev.location ? h('span', { class: 'muted' }, ' · ' + ev.location) : ''),
    h('p', { class: 'narrative' }, marked(ev.narrative, ranges)),
    ev.parties.length ? h('p', { class: 'muted' }, 'Also: ' +
      ev.parties.map(p => (p.name || p.person_ref) + ' (' + p.role + ')').join('; ')) : '',
    ev.objects.length ? h('p', { class: 'muted' }, 'Objects: ' +
      ev.objects.map(o => o.type + ' ' + o.value).join('; ')) : '',
    ev.findings.length ? h('ul', { class: 'findings' }, ev.findings.map(f =>
      h('li', {}, h('strong', {}, f.rule + ' ' + f.name), f.why ? ' – ' + f.why : '',
        f.advice ? h('div', { class: 'advice' }, 'Write instead: ' + f.advice) : ''))) : '',
    h('p', { class: 'muted' }, 'Record ' + ev.record_id + (ev.outcome ? ' · outcome: ' + ev.outcome : '')));
  return li;
}

export default async function render(ctx, reasonGiven) {
  const id = ctx.args[0] || '';
  let reason = reasonGiven;
  if (!reason) {
    reason = sessionStorage.getItem('reason:' + id);
    if (!reason) return askReason(ctx, 'the record of ' + id, (r) => {
      sessionStorage.setItem('reason:' + id, r);
      render(ctx, r);
    });
  }
  ctx.page('Loading…');
  let p;
  try { p = await get('/api/persons/' + encodeURIComponent(id), { reason }, { signal: ctx.signal }); }
  catch (e) {
    if (e.code === 'reason_required') { sessionStorage.removeItem('reason:' + id); return render(ctx); }
    ctx.page('Record'); return ctx.showError(e);
  }
  if (ctx.signal.aborted) return;
  const agencies = [...new Set(p.events.map(e => e.agency))].sort();
  const rules = [...new Set(p.events.flatMap(e => e.findings.map(f => f.rule + ' ' + f.name)))].sort();
  const list = h('ol', { class: 'timeline', id: 'timeline' });
  const count = h('p', { class: 'muted', id: 'count' });
  const boxes = agencies.map(a => h('input', { type: 'checkbox', checked: true, value: a, onchange: draw }));
  const only = h('input', { type: 'checkbox', id: 'only-flagged', onchange: draw });
  const ind = h('select', { id: 'indicator', onchange: draw }, h('option', { value: '' }, 'any indicator'),
    rules.map(r => h('option', { value: r }, r)));
  function draw() {
    clear(list);
    const on = new Set(boxes.filter(b => b.checked).map(b => b.value));
    let year = '', n = 0;
    for (const ev of p.events) {
      if (!on.has(ev.agency)) continue;
      if (only.checked && !ev.findings.length) continue;
      if (ind.value && !ev.findings.some(f => f.rule + ' ' + f.name === ind.value)) continue;
      const y = ev.occurred_at.slice(0, 4);
      if (y !== year) { list.append(h('li', { class: 'year', 'aria-hidden': 'true' }, y)); year = y; }
      list.append(eventItem(ev));
      n++;
    }
    count.textContent = n + ' of ' + p.events.length + ' events shown';
  }
  const car = p.alerts.find(a => a.kind === 'child_at_risk');
  ctx.page(p.name || p.person_id,
    h('p', {}, (p.is_child ? 'Child' : 'Person') + ' · born ' + (p.dob || 'unknown') + ' · ' + p.person_id +
      ' · known to ' + [...new Set(p.refs.map(r => r.agency))].join(', ')),
    h('section', { class: 'card', 'aria-labelledby': 'risk-h' }, h('h2', { id: 'risk-h' }, 'Risk level over time ',
      car ? level(car.level) : ''), riskChart(p.alerts)),
    h('section', { class: 'card', 'aria-labelledby': 'alerts-h' }, h('h2', { id: 'alerts-h' }, 'Why: the alerts'),
      p.alerts.length ? p.alerts.map(a => h('div', {}, h('h3', {}, level(a.level), ' ', a.kind.replace(/_/g, ' '),
        h('span', { class: 'muted' }, ' raised ' + when(a.raised_at))),
      h('ul', {}, (a.explanation || []).map(x => h('li', {}, x))))) : h('p', {}, 'No alerts.')),
    h('section', { class: 'card', 'aria-labelledby': 'chron-h' }, h('h2', { id: 'chron-h' }, 'Multi-agency chronology'),
      h('fieldset', { class: 'filters' }, h('legend', {}, 'Show'),
        boxes.map((b, i) => h('label', {}, b, agencies[i])),
        h('label', {}, only, 'only events with indicators'),
        h('label', { for: 'indicator' }, 'Indicator'), ind),
      count, list));
  draw();
}
