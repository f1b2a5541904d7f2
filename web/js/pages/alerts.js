// The alert queue: filtered, sorted and paged on the server; each row names
// whom it is about, shows the concern it already has and who owns it.
// "Take it" makes the alert yours (its concern, raised once, assigned to
// you); filters can be saved by name (kept in this browser, per user).
import { h, clear, level } from '../dom.js';
import { get, post } from '../api.js';
import { ukDate } from '../format.js';
import { kindName, rungName, plainWords } from '../components/names.js';
import { pager } from '../components/pager.js';
import { formDialog } from '../components/dialog.js';
import { noteBox } from '../components/notebox.js';
import { secondLook } from '../components/child-note.js';

const KINDS = ['child_at_risk', 'exploitation_network', 'unrecorded_crime', 'missing_pattern', 'overdue_return_interview', 'language', 'escalation'];
const KEYS = ['kind', 'level', 'open', 'assigned', 'sort', 'q'];
const LIMIT = 50;

const savedKey = me => 'jd-filters:' + me.username;
const loadSaved = me => { try { return JSON.parse(localStorage.getItem(savedKey(me)) || '{}'); } catch (e) { return {}; } };
const storeSaved = (me, v) => localStorage.setItem(savedKey(me), JSON.stringify(v));

function ackDialog(ctx, a) {
  const nb = noteBox('ack-note', 'Note (what you did or decided)');
  // wording that blames the child asks for a second look (components/child-note.js)
  const look = h('div', { id: 'ack-second-look' });
  let confirm = null;
  formDialog('ack', 'Acknowledge: ' + kindName(a.kind) + (a.subject_name ? ' – ' + a.subject_name : ''), [nb.el, look], 'Acknowledge', async () => {
    const body = { note: nb.ta.value };
    if (confirm && confirm.checked) body.confirmed = true;
    try { await secondLook('/api/alerts/' + encodeURIComponent(a.id) + '/ack', body, look, 'ack'); }
    catch (e) { if (e.secondLook) confirm = e.secondLook; throw e; }
    ctx.say('Alert acknowledged');
  }, ctx.refresh);
  nb.ta.focus();
}

function concernCell(a) {
  const k = a.concern;
  if (!k) return h('span', { class: 'muted' }, 'none yet');
  const owner = k.owner && k.owner !== k.rung ? k.owner : 'the ' + rungName(k.rung).toLowerCase() + ' queue';
  return h('a', { href: '#/concerns', class: 'has-concern' }, 'Concern ' + k.status + ', ' + rungName(k.rung) + '; ', h('span', { class: 'owner' }, owner));
}

function about(a) {
  const pid = a.subject && a.subject.person_id;
  if (pid) return h('a', { href: '#/person/' + encodeURIComponent(pid) }, a.subject_name || 'a child not named in the records');
  if (a.members_named && a.members_named.length) return a.members_named.slice(0, 3).join(', ') + (a.members_named.length > 3 ? ' and ' + (a.members_named.length - 3) + ' more' : '');
  if (a.members) return a.members.length + ' people';
  return '';
}

export default async function render(ctx) {
  const p = ctx.params, me = ctx.me;
  const sel = (id, opts, cur) => h('select', { id, name: id }, opts.map(([v, l]) => h('option', { value: v, selected: cur === v }, l)));
  const kind = sel('kind', [['', 'any kind'], ...KINDS.map(k => [k, kindName(k)])], p.get('kind') || '');
  const lev = sel('level', [['', 'any level'], ['low', 'low'], ['medium', 'medium'], ['high', 'high'], ['critical', 'critical']], p.get('level') || '');
  const asg = sel('assigned', [['', 'everyone\'s'], ['me', 'mine'], ['none', 'not yet taken']], p.get('assigned') || '');
  const sort = sel('sort', [['newest', 'newest first'], ['oldest', 'oldest first'], ['level', 'highest level first'], ['name', 'by name']], p.get('sort') || 'newest');
  const q = h('input', { type: 'search', id: 'alert-q', value: p.get('q') || '', placeholder: 'name' });
  const open = h('input', { type: 'checkbox', id: 'open', checked: p.get('open') === '1' });
  const query = () => {
    const o = {};
    if (kind.value) o.kind = kind.value;
    if (lev.value) o.level = lev.value;
    if (asg.value) o.assigned = asg.value;
    if (sort.value && sort.value !== 'newest') o.sort = sort.value;
    if (q.value.trim()) o.q = q.value.trim();
    if (open.checked) o.open = '1';
    return o;
  };
  const form = h('form', { class: 'card filters-row', onsubmit: (ev) => {
    ev.preventDefault();
    ctx.navigate('#/alerts?' + new URLSearchParams(query()));
  } },
  h('div', {}, h('label', { for: 'kind' }, 'Kind'), kind), h('div', {}, h('label', { for: 'level' }, 'Level'), lev),
  h('div', {}, h('label', { for: 'assigned' }, 'Taken by'), asg), h('div', {}, h('label', { for: 'sort' }, 'Order'), sort),
  h('div', {}, h('label', { for: 'alert-q' }, 'About'), q),
  h('label', { for: 'open', class: 'check' }, open, ' not yet acknowledged'), h('button', { type: 'submit', id: 'filter' }, 'Filter'));
  // Saved filters.
  const savedBox = h('div', { class: 'row saved', id: 'saved-filters' });
  function drawSaved() {
    clear(savedBox);
    const sv = loadSaved(me);
    savedBox.append(h('span', { class: 'muted' }, 'Saved filters:'));
    for (const [name, qs] of Object.entries(sv))
      savedBox.append(h('span', { class: 'chip' }, h('a', { href: '#/alerts?' + qs }, name),
        h('button', { type: 'button', class: 'link', 'aria-label': 'Forget ' + name, onclick: () => { delete sv[name]; storeSaved(me, sv); drawSaved(); } }, '×')));
    const nm = h('input', { type: 'text', id: 'save-name', placeholder: 'name this filter', 'aria-label': 'Name of the filter' });
    savedBox.append(nm, h('button', { type: 'button', class: 'secondary', id: 'save-filter', onclick: () => {
      if (!nm.value.trim()) return;
      sv[nm.value.trim()] = new URLSearchParams(query()).toString();
      storeSaved(me, sv);
      drawSaved();
      ctx.say('Filter saved');
    } }, 'Save this filter'));
  }
  drawSaved();
  const out = h('div');
  ctx.page('Alerts', form, savedBox, out);
  const offset = Math.max(0, parseInt(p.get('offset') || '0', 10) || 0);
  const cur = {};
  for (const k of KEYS) if (p.get(k)) cur[k] = p.get(k);
  let r;
  try { r = await get('/api/alerts', { ...cur, offset, limit: LIMIT }, { signal: ctx.signal }); }
  catch (e) { return ctx.showError(e, out); }
  if (ctx.signal.aborted) return;
  const go = off => ctx.navigate('#/alerts?' + new URLSearchParams({ ...cur, offset: off }));
  out.append(h('p', { class: 'muted', id: 'alert-count' }, r.total + ' alerts' + (r.total > r.alerts.length ? ', ' + (r.offset + 1) + ' to ' + (r.offset + r.alerts.length) + ' shown' : '')),
    pager(r.total, r.offset, r.limit, go, 'pager-top'));
  if (!r.alerts.length) { out.append(h('p', { id: 'no-alerts' }, 'No alerts match.')); return; }
  out.append(h('table', { id: 'alert-table', class: 'stack' }, h('thead', {}, h('tr', {}, ['Level', 'Kind', 'About', 'Raised', 'Why', 'Concern', 'Acknowledged', 'Actions']
    .map(x => h('th', {}, x)))),
  h('tbody', {}, r.alerts.map(a => h('tr', { 'data-id': a.id },
    h('td', { 'data-label': 'Level' }, level(a.level)), h('td', { 'data-label': 'Kind' }, kindName(a.kind)),
    h('td', { 'data-label': 'About' }, about(a)),
    h('td', { 'data-label': 'Raised' }, ukDate(a.raised_at)), h('td', { 'data-label': 'Why', class: 'why', title: (a.explanation || [])[0] || '' }, plainWords((a.explanation || [])[0] || '')),
    h('td', { 'data-label': 'Concern', class: 'concern' }, concernCell(a)),
    h('td', { 'data-label': 'Acknowledged' }, a.acknowledgements.map(k => h('div', {}, k.by + ' (' + ukDate(k.at) + '): ' + k.note))),
    h('td', { class: 'actions' }, h('div', { class: 'buttons' },
      h('button', { type: 'button', class: 'secondary ack', onclick: () => ackDialog(ctx, a) }, 'Acknowledge'),
      a.concern ? '' : h('button', { type: 'button', class: 'secondary raise', onclick: async (ev) => {
        ev.target.disabled = true;
        try {
          const k = await post('/api/alerts/' + encodeURIComponent(a.id) + '/concern', {});
          ctx.say(k.existing ? 'This alert already has a concern' : 'Concern raised');
          ctx.refresh();
        } catch (e) { ev.target.disabled = false; ctx.say(e.message); }
      } }, 'Raise a concern'),
      a.concern && a.concern.owner === me.username ? '' : h('button', { type: 'button', class: 'secondary take', onclick: async (ev) => {
        ev.target.disabled = true;
        try {
          await post('/api/alerts/' + encodeURIComponent(a.id) + '/concern', { assign_to: me.username });
          ctx.say('The alert is yours');
          ctx.refresh();
        } catch (e) { ev.target.disabled = false; ctx.say(e.message); }
      } }, 'Take it'))))))),
  pager(r.total, r.offset, r.limit, go, 'pager'));
}
