// The child's chronology as a compact table, one line per event (date, age,
// agency colour, type, the text with flagged words marked, significant
// events flagged); a line opens to the whole record. Filters by agency,
// sign, dates and text, newest or oldest first, paged on the server
// (GET /api/persons/{id}/chronology).
import { h, clear, marked } from '../dom.js';
import { get } from '../api.js';
import { ukDate, ukDateTime } from '../format.js';
import { agencyColour, agencyName } from './child-agency.js';

const PAGE = 50;

function short(name) {
  return String(name || '').split(/[;:(]/)[0].trim();
}

function row(ev, opened) {
  const ranges = ev.findings.filter(f => f.offset >= 0).map(f => ({ offset: f.offset, length: f.length,
    cls: f.rule.startsWith('L') ? 'lang' : '', title: short(f.name) }));
  const signs = [...new Set(ev.findings.filter(f => !f.rule.startsWith('L')).map(f => short(f.name)))];
  const lang = ev.findings.filter(f => f.rule.startsWith('L'));
  const tr = h('tr', { class: 'ev' + (ev.significant ? ' significant' : ''), tabindex: 0, 'aria-expanded': 'false',
    'data-agency': ev.agency },
  h('td', { class: 'c-date' }, ukDate(ev.occurred_at)),
  h('td', { class: 'c-age' }, ev.age === null ? '' : String(ev.age)),
  h('td', { class: 'c-agency' }, h('span', { class: 'swatch', 'data-colour': agencyColour(ev.agency) }), ev.agency_label || agencyName(ev.agency)),
  h('td', { class: 'c-type' }, ev.type_label),
  h('td', { class: 'c-text' }, h('div', { class: 'clip' }, marked(ev.narrative, ranges))),
  h('td', { class: 'c-sig' }, ev.significant ? h('span', { class: 'sig', title: 'Significant: ' + signs.join('; ') }, '●', h('span', { class: 'sr' }, ' significant')) : ''));
  const detail = h('tr', { class: 'ev-detail', hidden: true }, h('td', { colspan: 6 },
    h('p', {}, h('strong', {}, ukDateTime(ev.occurred_at)), ' · ', ev.agency_label, ' record ', ev.record_id,
      ev.location ? ' · ' + ev.location : '', ev.outcome ? ' · outcome: ' + ev.outcome : ''),
    signs.length ? h('p', {}, h('strong', {}, 'Signs: '), signs.join('; '),
      h('span', { class: 'codes' }, ' [' + [...new Set(ev.findings.map(f => f.rule))].join(' ') + ']')) : '',
    lang.length ? h('ul', { class: 'lang-advice' }, lang.map(f => h('li', {}, 'Wording to avoid: “' + (f.why || f.name) + '”' +
      (f.advice ? ' – write instead: ' + f.advice : '')))) : '',
    ev.parties.length ? h('p', {}, h('strong', {}, 'Others: '), ev.parties.map(p => (p.name || 'unnamed') + ' (' + p.role + ')').join('; ')) : '',
    ev.objects.length ? h('p', {}, h('strong', {}, 'Objects: '), ev.objects.map(o => o.type + ' ' + o.value).join('; ')) : ''));
  const toggle = () => {
    const open = detail.hidden;
    detail.hidden = !open;
    tr.setAttribute('aria-expanded', String(open));
    tr.classList.toggle('open', open);
  };
  tr.addEventListener('click', toggle);
  tr.addEventListener('keydown', e => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(); } });
  if (opened) toggle();
  return [tr, detail];
}

// Colour swatches are set from data attributes after insertion (no inline
// style attribute is ever written as text; the CSSOM is allowed by the CSP).
function paint(root) {
  for (const el of root.querySelectorAll('[data-colour]')) el.style.background = el.dataset.colour;
}

export function chronology({ id, reason, agencies, signs, signal, onFilters }) {
  const state = { offset: 0, order: 'newest', agency: new Set(agencies.map(a => a.code)), indicator: '', from: '', to: '', q: '', significant: false };
  const count = h('p', { class: 'muted', id: 'count', 'aria-live': 'polite' });
  const body = h('tbody', { id: 'timeline' });
  const table = h('table', { class: 'chron', id: 'chronology' },
    h('caption', { class: 'sr' }, 'Multi-agency chronology, one line per event'),
    h('thead', {}, h('tr', {}, ['Date', 'Age', 'Agency', 'Type', 'What was recorded', ''].map((x, i) =>
      h('th', { scope: 'col', class: ['c-date', 'c-age', 'c-agency', 'c-type', 'c-text', 'c-sig'][i] }, x || h('span', { class: 'sr' }, 'Significant'))))),
    body);
  const boxes = agencies.map(a => h('label', { class: 'agency-box' },
    h('input', { type: 'checkbox', checked: true, value: a.code, onchange: ev => {
      if (ev.target.checked) state.agency.add(a.code); else state.agency.delete(a.code);
      reload();
    } }), h('span', { class: 'swatch', 'data-colour': agencyColour(a.code) }), a.label));
  const ind = h('select', { id: 'indicator', onchange: () => { state.indicator = ind.value; reload(); } },
    h('option', { value: '' }, 'any sign'), signs.map(x => h('option', { value: x.code }, x.name)));
  // UK dates typed as DD/MM/YYYY (a date input would follow the browser's locale)
  const dateBox = (idv, key) => {
    const el = h('input', { type: 'text', id: idv, inputmode: 'numeric', placeholder: 'DD/MM/YYYY', size: 10,
      pattern: '\\d{1,2}/\\d{1,2}/\\d{4}', 'aria-describedby': 'date-help' });
    el.addEventListener('change', () => {
      const v = el.value.trim();
      const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
      if (v && !m) { el.setAttribute('aria-invalid', 'true'); return; }
      el.removeAttribute('aria-invalid');
      state[key] = m ? `${m[1].padStart(2, '0')}/${m[2].padStart(2, '0')}/${m[3]}` : '';
      reload();
    });
    return el;
  };
  const from = dateBox('from', 'from'), to = dateBox('to', 'to');
  const q = h('input', { type: 'search', id: 'chron-q', placeholder: 'Words in the records' });
  let qt = null;
  q.addEventListener('input', () => { clearTimeout(qt); qt = setTimeout(() => { state.q = q.value.trim(); reload(); }, 300); });
  const sig = h('input', { type: 'checkbox', id: 'only-flagged', onchange: () => { state.significant = sig.checked; reload(); } });
  const order = h('select', { id: 'order', onchange: () => { state.order = order.value; reload(); } },
    h('option', { value: 'newest' }, 'Newest first'), h('option', { value: 'oldest' }, 'Oldest first'));
  const prev = h('button', { type: 'button', class: 'secondary small', id: 'prev', onclick: () => { state.offset = Math.max(0, state.offset - PAGE); load(); } }, '◀ Newer');
  const next = h('button', { type: 'button', class: 'secondary small', id: 'next', onclick: () => { state.offset += PAGE; load(); } }, 'Older ▶');
  const pager = h('div', { class: 'row pager no-print' }, prev, next);
  const filters = h('fieldset', { class: 'filters no-print' }, h('legend', {}, 'Show'),
    h('div', { class: 'agency-boxes' }, boxes),
    h('div', { class: 'row' },
      h('div', {}, h('label', { for: 'indicator' }, 'Sign'), ind),
      h('div', {}, h('label', { for: 'from' }, 'From'), from),
      h('div', {}, h('label', { for: 'to' }, 'To'), to),
      h('div', {}, h('label', { for: 'chron-q' }, 'Text'), q),
      h('div', {}, h('label', { for: 'order' }, 'Order'), order),
      h('label', { class: 'inline' }, sig, ' significant only')),
    h('p', { class: 'sr', id: 'date-help' }, 'Dates as DD/MM/YYYY'));
  const out = h('div', {});

  function query(all) {
    const p = { reason, offset: all ? 0 : state.offset, limit: all ? 500 : PAGE, order: state.order };
    if (state.agency.size !== agencies.length) p.agency = [...state.agency].join(',') || 'none';
    if (state.indicator) p.indicator = state.indicator;
    if (state.from) p.from = state.from;
    if (state.to) p.to = state.to;
    if (state.q) p.q = state.q;
    if (state.significant) p.significant = '1';
    return p;
  }
  function describe() {
    const d = [];
    if (state.agency.size !== agencies.length) d.push('agencies: ' + agencies.filter(a => state.agency.has(a.code)).map(a => a.label).join(', '));
    if (state.indicator) d.push('sign: ' + ind.selectedOptions[0].textContent);
    if (state.from) d.push('from ' + state.from);
    if (state.to) d.push('to ' + state.to);
    if (state.q) d.push('text “' + state.q + '”');
    if (state.significant) d.push('significant events only');
    return d;
  }
  let seq = 0;
  async function load(all) {
    const mine = ++seq;
    let r;
    try { r = await get('/api/persons/' + encodeURIComponent(id) + '/chronology', query(all), { signal }); }
    catch (e) {
      if (signal && signal.aborted) return;
      clear(out).append(h('p', { class: 'error', role: 'alert' }, e.message));
      return;
    }
    if (mine !== seq || (signal && signal.aborted)) return; // a newer request or page superseded this one
    clear(out);
    clear(body);
    for (const ev of r.events) body.append(...row(ev));
    paint(body);
    const a = r.total ? r.offset + 1 : 0, b = r.offset + r.events.length;
    count.textContent = r.total ? `Events ${a} to ${b} of ${r.total}` : 'No event matches these filters.';
    if (all && b < r.total) count.textContent += ' (print the PDF for all of them)';
    prev.disabled = r.offset === 0;
    next.disabled = b >= r.total;
    prev.textContent = state.order === 'newest' ? '◀ Newer' : '◀ Earlier';
    next.textContent = state.order === 'newest' ? 'Older ▶' : 'Later ▶';
    if (onFilters) onFilters(query(), describe());
  }
  function reload() { state.offset = 0; load(); }
  const el = h('div', {}, filters, count, out, table, pager);
  paint(el);
  // Print: every filtered event (up to 500) on paper, then the page as it was.
  async function print() {
    await load(true);
    window.print();
    await load();
  }
  return { el, ready: load(), query: () => query(), describe, print, setRange(f, t) { from.value = f; to.value = t; state.from = f; state.to = t; reload(); } };
}
