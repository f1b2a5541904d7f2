// Search: names spelt differently, an initial ("Ava W"), a date of birth
// alone or with a name, a reference. 25 at a time, with "more".
import { h } from '../dom.js';
import { get } from '../api.js';
import { ukDate } from '../format.js';
import { agencyName } from '../components/names.js';

const PAGE = 25;

export default async function render(ctx) {
  const q = h('input', { type: 'search', id: 'q', name: 'q', value: ctx.params.get('q') || '',
    placeholder: 'Name, date of birth (DD/MM/YYYY), both, or a reference' });
  const out = h('div');
  const form = h('form', { class: 'card', role: 'search', onsubmit: (ev) => {
    ev.preventDefault();
    ctx.navigate('#/search?' + new URLSearchParams({ q: q.value }));
  } }, h('label', { for: 'q' }, 'Find a child or a person'),
  h('div', { class: 'row' }, q, h('button', { type: 'submit' }, 'Search')),
  h('p', { class: 'muted' }, 'Names are matched even when spelt differently; "Ava W" finds Ava Wilson; add a date of birth to narrow. Every search is recorded.'));
  ctx.page('Search', form, out);
  q.focus();
  const query = ctx.params.get('q');
  if (!query) return;
  const tbody = h('tbody');
  const count = h('p', { class: 'muted', id: 'result-count' });
  const more = h('button', { type: 'button', class: 'secondary', id: 'more' }, 'More');
  let offset = 0;
  async function load() {
    more.disabled = true;
    try {
      const r = await get('/api/search', { q: query, offset, limit: PAGE }, { signal: ctx.signal });
      if (ctx.signal.aborted) return;
      if (!r.results.length && !offset) { out.append(h('p', { id: 'no-results', 'data-q': query }, 'Nobody found that you can see.')); return; }
      if (!tbody.parentNode) out.append(count, h('table', { id: 'results', 'data-q': query },
        h('thead', {}, h('tr', {}, ['Name', 'Date of birth', 'Child', 'Known to', ''].map(x => h('th', {}, x)))), tbody), more);
      for (const p of r.results) tbody.append(h('tr', {},
        h('td', {}, p.name || '(no name recorded)'), h('td', {}, ukDate(p.dob) || 'not known'), h('td', {}, p.is_child ? 'yes' : 'no'),
        h('td', {}, [...new Set(p.refs.map(x => agencyName(x.agency)))].join(', ')),
        h('td', {}, h('a', { href: '#/person/' + encodeURIComponent(p.person_id) }, 'Open'))));
      offset += r.results.length;
      const total = r.total ?? offset;
      count.textContent = offset + ' of ' + total + (r.total_capped ? '+' : '') + ' shown';
      more.hidden = !r.more;
      more.disabled = false;
    } catch (e) { ctx.showError(e, out); }
  }
  more.addEventListener('click', load);
  await load();
}
