// The audit log: every view, search, change and refusal; the hash chain checked on request.
import { h } from '../dom.js';
import { get } from '../api.js';
import { ukDateTime } from '../format.js';

export default async function render(ctx) {
  const res = h('p', { id: 'verify-result', 'aria-live': 'polite' });
  const out = h('div', { class: 'scroll-x' });
  ctx.page('Audit log', h('div', { class: 'card row' }, h('button', { type: 'button', id: 'verify', onclick: async () => {
    try {
      const v = await get('/api/audit/verify');
      res.textContent = v.intact ? 'The log is intact: ' + v.entries + ' entries.' :
        'The log is BROKEN at entry ' + v.first_bad + ': ' + v.problem;
      res.className = v.intact ? '' : 'error';
    } catch (e) { ctx.showError(e, res); }
  } }, 'Verify the hash chain'), res), out);
  try {
    const r = await get('/api/audit', null, { signal: ctx.signal });
    out.append(h('table', { id: 'audit-table' }, h('thead', {}, h('tr', {}, ['#', 'When', 'Who', 'What', 'Target', 'Why', 'Outcome', 'Detail'].map(x => h('th', {}, x)))),
      h('tbody', {}, r.entries.slice().reverse().map(e => h('tr', {}, h('td', {}, e.seq), h('td', {}, ukDateTime(e.at)), h('td', {}, e.actor),
        h('td', {}, e.action), h('td', {}, e.target), h('td', {}, e.reason), h('td', {}, e.ok ? 'ok' : 'refused'), h('td', {}, e.detail))))));
  } catch (e) { ctx.showError(e, out); }
}
