// The board's agenda: open strategic items with their titles (no names),
// when they reached the board, how long they have waited, and the decision
// log of every item the board has decided.
import { h, level } from '../dom.js';
import { get, post } from '../api.js';
import { ukDate } from '../format.js';
import { formDialog } from '../components/dialog.js';
import { rungName } from '../components/names.js';

function waited(days) {
  if (days < 1) return 'today';
  if (days < 60) return days + ' days';
  if (days < 730) return Math.round(days / 30.4) + ' months';
  return Math.floor(days / 365.25) + ' years';
}

function decideDialog(ctx, c) {
  const d = h('input', { type: 'text', id: 'decision', required: true });
  const who = h('input', { type: 'text', id: 'decision-maker', required: true });
  const why = h('textarea', { id: 'decision-why', required: true });
  formDialog('decide', 'The board\'s decision on: ' + c.title, [
    h('label', { for: 'decision' }, 'Decision'), d,
    h('label', { for: 'decision-maker' }, 'Decision-maker (name and role)'), who,
    h('label', { for: 'decision-why' }, 'Reason'), why], 'Record the decision', async () => {
    await post('/api/concerns/' + encodeURIComponent(c.id) + '/decide', { decision: d.value, decision_maker: who.value, text: why.value });
    ctx.say('Decision recorded');
  }, ctx.refresh);
  d.focus();
}

export default async function render(ctx) {
  ctx.page('The board\'s agenda');
  let r;
  try { r = await get('/api/board', null, { signal: ctx.signal }); } catch (e) { return ctx.showError(e); }
  if (ctx.signal.aborted) return;
  const board = ctx.me.role === 'board';
  const items = r.items.length ? h('table', { id: 'agenda', class: 'stack' }, h('thead', {}, h('tr', {},
    ['Item', 'Level', 'On the agenda since', 'Waiting', 'Due', board ? 'Decision' : null].filter(x => x !== null).map(x => h('th', {}, x)))),
  h('tbody', {}, r.items.map(c => h('tr', { 'data-id': c.id },
    h('td', { 'data-label': 'Item' }, h('strong', {}, c.title), h('div', { class: 'muted small' }, c.kind_words)),
    h('td', { 'data-label': 'Level' }, level(c.level)),
    h('td', { 'data-label': 'Since' }, ukDate(c.reached_at)),
    h('td', { 'data-label': 'Waiting' }, waited(c.age_days)),
    h('td', { 'data-label': 'Due' }, c.due_at ? ukDate(c.due_at) + (c.overdue ? ' (overdue)' : '') : c.due_words),
    board ? h('td', { class: 'actions' }, h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'secondary decide', onclick: () => decideDialog(ctx, c) }, 'Record the decision'))) : '')))) :
    h('p', { id: 'agenda-empty' }, 'No open strategic items.');
  const log = r.decisions.length ? h('table', { id: 'decision-log', class: 'stack' }, h('thead', {}, h('tr', {},
    ['Item', 'Decided', 'Decision', 'Decision-maker', 'Reason'].map(x => h('th', {}, x)))),
  h('tbody', {}, r.decisions.map(d => h('tr', {}, h('td', { 'data-label': 'Item' }, d.title), h('td', { 'data-label': 'Decided' }, ukDate(d.decided_at)),
    h('td', { 'data-label': 'Decision' }, d.decision), h('td', { 'data-label': 'By' }, d.decision_maker), h('td', { 'data-label': 'Reason' }, d.reason))))) :
    h('p', { id: 'decision-log-empty' }, 'The board has not decided any item yet.');
  ctx.main.append(
    h('p', { class: 'muted' }, 'Open strategic items, oldest first. An item leaves the agenda only by a recorded board decision, ' +
      'which stays in the log below. The ladder sets no deadline at the ' + rungName('board') + ' rung: items wait for its next meeting.'),
    h('section', { class: 'card' }, h('h2', {}, 'Open items (' + r.items.length + ')'), items),
    h('section', { class: 'card' }, h('h2', { id: 'log-h' }, 'Decision log (' + r.decisions.length + ')'), log));
}
