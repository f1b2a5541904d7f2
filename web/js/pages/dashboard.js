// The strategic dashboard: counts only, no child or adult named.
import { h, s } from '../dom.js';
import { get } from '../api.js';
import { agencyName, kindName } from '../components/names.js';

function stackedBars(rows) {
  const svg = s('svg', { class: 'chart', viewBox: '0 0 800 240', role: 'img', 'aria-label': 'Children at each risk level, by year' });
  const max = Math.max(1, ...rows.map(r => r.low + r.medium + r.high + r.critical));
  const w = 720 / Math.max(1, rows.length);
  const colours = { low: '#5b8def', medium: '#e0a800', high: '#e0661b', critical: '#b3261e' };
  rows.forEach((r, i) => {
    let y = 210;
    for (const l of ['low', 'medium', 'high', 'critical']) {
      const hgt = r[l] / max * 190;
      svg.append(s('rect', { x: 60 + i * w + 2, y: y - hgt, width: Math.max(1, w - 4), height: hgt, fill: colours[l] },
        s('title', {}, r.year + ': ' + r[l] + ' ' + l)));
      y -= hgt;
    }
    svg.append(s('text', { x: 60 + i * w + 2, y: 230, 'font-size': 11, fill: '#59636e' }, String(r.year)));
  });
  svg.append(s('text', { x: 4, y: 20, 'font-size': 12, fill: '#59636e' }, String(max)));
  return svg;
}

function kv(obj, label = k => k.replace(/_/g, ' ')) {
  return h('table', {}, h('tbody', {}, Object.entries(obj || {}).map(([k, v]) =>
    h('tr', {}, h('th', { scope: 'row' }, label(k)), h('td', {}, String(v))))));
}

const pct = x => x === null || x === undefined ? 'none due' : (x * 100).toFixed(1) + '%';

function equalityCard(groups) {
  const max = Math.max(0.0001, ...groups.map(g => g.rate));
  return h('section', { class: 'card', id: 'equality' }, h('h2', {}, 'Equality monitoring: children at high or critical risk, by ethnicity'),
    h('p', { class: 'muted' }, 'Ethnicity as the agencies recorded it. It is read only for this table and never feeds a risk score.'),
    h('table', { id: 'equality-table' }, h('thead', {}, h('tr', {}, ['Ethnicity', 'Children', 'High or critical', 'Rate', '']
      .map(x => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, groups.map(g => h('tr', {}, h('th', { scope: 'row' }, g.ethnicity), h('td', {}, g.children),
      h('td', {}, g.high_or_critical), h('td', {}, (g.rate * 100).toFixed(2) + '%'),
      h('td', { 'aria-hidden': 'true' }, s('svg', { width: 160, height: 12, viewBox: '0 0 160 12' },
        s('rect', { x: 0, y: 0, width: Math.max(g.rate > 0 ? 1 : 0, Math.round(g.rate / max * 160)), height: 12, fill: '#b3261e' }))))))));
}

export default async function render(ctx) {
  ctx.page('Strategic dashboard');
  let d;
  try { d = await get('/api/dashboard', null, { signal: ctx.signal }); } catch (e) { return ctx.showError(e); }
  if (ctx.signal.aborted) return;
  ctx.main.append(h('p', { class: 'muted' }, 'Counts only: no child or adult is named on this page.'),
    h('section', { class: 'card' }, h('h2', {}, 'Children at each risk level, by year'), stackedBars(d.levels_over_time),
      h('p', { class: 'legend' }, 'blue low · amber medium · orange high · red critical')),
    h('div', { class: 'grid' },
      h('section', { class: 'card' }, h('h2', {}, 'Children by current level'), kv(d.children_by_level)),
      h('section', { class: 'card' }, h('h2', {}, 'Alerts by kind'), kv(d.alerts_by_kind, kindName)),
      h('section', { class: 'card' }, h('h2', {}, 'Repeat missing (by level)'), kv(d.repeat_missing)),
      h('section', { class: 'card', id: 'return-interviews' }, h('h2', {}, 'Return interviews within 72 hours'), kv({
        'returns from missing (72 hours run out)': d.return_interviews.returns,
        'interview held within 72 hours': d.return_interviews.within_72_hours,
        'share held in time': pct(d.return_interviews.share),
        'not held in time (alerts)': d.return_interviews.overdue_alerts })),
      h('section', { class: 'card', id: 'crimes' }, h('h2', {}, 'Disclosed offences and recorded crimes'), kv({
        'records disclosing an offence against a child': d.disclosed_vs_recorded.offences_disclosed,
        'with a crime recorded': d.disclosed_vs_recorded.crimes_recorded,
        'share recorded': pct(d.disclosed_vs_recorded.share_recorded),
        'disclosed but not recorded (alerts)': d.disclosed_vs_recorded.not_recorded_alerts })),
      h('section', { class: 'card' }, h('h2', {}, 'Victim-blaming wording, by agency'), kv(d.language_flags_by_agency, agencyName)),
      d.open_strategic_items_by_age ? h('section', { class: 'card' }, h('h2', {}, 'Open strategic items by age'),
        kv(d.open_strategic_items_by_age)) : ''),
    h('section', { class: 'card' }, h('h2', {}, 'Hotspots'), h('div', { class: 'scroll-x' }, h('table', { id: 'hotspots' },
      h('thead', {}, h('tr', {}, ['Place', 'Children at risk', 'Adults', 'Vehicles', 'Records'].map(x => h('th', {}, x)))),
      h('tbody', {}, d.hotspots.map(x => h('tr', {}, h('td', {}, x.place), h('td', {}, x.children), h('td', {}, x.adults),
        h('td', {}, x.vehicles), h('td', {}, x.records))))))),
    equalityCard(d.equality_monitoring),
    d.not_yet_available.length ? h('section', { class: 'card' }, h('h2', {}, 'Not yet on this dashboard'),
      h('ul', {}, d.not_yet_available.map(x => h('li', {}, x)))) : '');
}
