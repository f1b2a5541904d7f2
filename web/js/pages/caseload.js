// My children: the children whose open concern you own, with their level,
// open alerts and what is due; sorted and paged on the server.
import { h, level } from '../dom.js';
import { get } from '../api.js';
import { ukDate, ageAt } from '../format.js';
import { rungName } from '../components/names.js';
import { pager } from '../components/pager.js';

export default async function render(ctx) {
  const sort = ctx.params.get('sort') || 'level';
  const offset = Math.max(0, parseInt(ctx.params.get('offset') || '0', 10) || 0);
  const sel = h('select', { id: 'case-sort', onchange: () => ctx.navigate('#/caseload?' + new URLSearchParams({ sort: sel.value })) },
    [['level', 'highest level first'], ['due', 'due soonest'], ['name', 'by name']].map(([v, l]) => h('option', { value: v, selected: sort === v }, l)));
  const out = h('div');
  ctx.page('My children', h('div', { class: 'card row' }, h('label', { for: 'case-sort' }, 'Order'), sel,
    h('span', { class: 'muted' }, 'Children whose concern you own. Take an alert in the alert queue to add a child.')), out);
  let r;
  try { r = await get('/api/caseload', { sort, offset, limit: 50 }, { signal: ctx.signal }); }
  catch (e) { return ctx.showError(e, out); }
  if (ctx.signal.aborted) return;
  if (!r.children.length) { out.append(h('p', { id: 'caseload-empty' }, 'No children are yours yet.')); return; }
  out.append(h('table', { id: 'caseload', class: 'stack' }, h('thead', {}, h('tr', {}, ['Child', 'Age', 'Level', 'Open alerts', 'Last alert', 'Concern', 'Due'].map(x => h('th', {}, x)))),
    h('tbody', {}, r.children.map(c => h('tr', {},
      h('td', { 'data-label': 'Child' }, h('a', { href: '#/person/' + encodeURIComponent(c.person_id) }, c.name || 'a child not named in the records')),
      h('td', { 'data-label': 'Age' }, ageAt(c.dob) ?? 'not known'),
      h('td', { 'data-label': 'Level' }, c.level ? level(c.level) : ''),
      h('td', { 'data-label': 'Open alerts' }, c.alerts || 0),
      h('td', { 'data-label': 'Last alert' }, ukDate(c.last_alert_at)),
      h('td', { 'data-label': 'Concern' }, c.concern.status + ' at ' + rungName(c.concern.rung)),
      h('td', { 'data-label': 'Due' }, c.concern.due_at ? ukDate(c.concern.due_at) + (c.concern.overdue ? ' (overdue)' : '') : 'no deadline'))))),
  pager(r.total, r.offset, r.limit, off => ctx.navigate('#/caseload?' + new URLSearchParams({ sort, offset: off }))));
}
