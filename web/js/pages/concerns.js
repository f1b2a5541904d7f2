// Concerns (issue 7's ladder): the inbox or every open concern the user may
// see, with acknowledge, escalate, comment, reassign and close.
import { h, clear, level } from '../dom.js';
import { get, post } from '../api.js';
import { ukDate, ukDateTime } from '../format.js';
import { rungName, kindName } from '../components/names.js';
import { formDialog } from '../components/dialog.js';
import { noteBox } from '../components/notebox.js';

const concernPath = (c, verb) => '/api/concerns/' + encodeURIComponent(c.id) + '/' + verb;
// A title or subject without identifiers: words holding letters and digits
// (person ids, record numbers) left out, codes in words.
export const plainTitle = t => String(t || '').split(/\s+/).filter(w => !(/[A-Za-z]/.test(w) && /\d/.test(w)))
  .join(' ').replace(/_/g, ' ').replace(/\s+:/g, ':').trim();
const about = c => c.subject_name || (c.kind === 'child' ? 'a child not named in the records' :
  c.kind === 'pattern' ? plainTitle(c.subject) || 'a pattern across children' : kindName(c.kind) + ': ' + plainTitle(c.subject));

function escalateDialog(ctx, c) {
  const nb = noteBox('esc-note', 'Why it goes up a rung');
  formDialog('esc', 'Escalate the concern about ' + about(c) + ' (now at ' + rungName(c.rung) + ')', [nb.el], 'Escalate', async () => {
    await post(concernPath(c, 'escalate'), { text: nb.ta.value });
    ctx.say('Concern escalated');
  }, ctx.refresh);
  nb.ta.focus();
}

function commentDialog(ctx, c) {
  const nb = noteBox('comment-note', 'Comment');
  formDialog('comment', 'Comment on the concern about ' + about(c), [nb.el], 'Add the comment', async () => {
    await post(concernPath(c, 'comment'), { text: nb.ta.value });
    ctx.say('Comment added');
  }, ctx.refresh);
  nb.ta.focus();
}

function assignDialog(ctx, c) {
  const to = h('input', { type: 'text', id: 'assign-to', autocomplete: 'off', required: true });
  const why = h('input', { type: 'text', id: 'assign-why' });
  formDialog('assign', 'Reassign the concern about ' + about(c) + ' (now ' + (c.owner ? rungName(c.owner) : 'the queue') + ')',
    [h('label', { for: 'assign-to' }, 'User name of the person taking it over'), to,
      h('label', { for: 'assign-why' }, 'Note (optional)'), why], 'Reassign', async () => {
      await post(concernPath(c, 'assign'), { to: to.value, text: why.value || undefined });
      ctx.say('Reassigned to ' + to.value);
    }, ctx.refresh);
  to.focus();
}

async function closeDialog(ctx, c) {
  let reasons = [];
  try { reasons = (await get('/api/close-reasons')).reasons; } catch (e) { ctx.say(e.message); return; }
  const sel = h('select', { id: 'close-reason' }, h('option', { value: '' }, 'choose a reason'),
    reasons.map(r => h('option', { value: r.code }, r.text)));
  const nb = noteBox('close-note', 'Why it can close (recorded in its history)');
  const su = h('input', { type: 'text', id: 'signoff-user', autocomplete: 'off' });
  const sp = h('input', { type: 'password', id: 'signoff-pass', autocomplete: 'off' });
  const high = c.level === 'high' || c.level === 'critical';
  formDialog('close', 'Close the concern about ' + about(c), [
    h('label', { for: 'close-reason' }, 'Reason'), sel, nb.el,
    h('fieldset', {}, h('legend', {}, 'Manager\'s sign-off' + (high ? ' (needed: this concern is ' + c.level + ')' : '')),
      h('p', { class: 'muted' }, 'Needed at high or critical, and for "no further action" on a disclosure. ' +
        'A team or service manager other than you enters their own user name and password.'),
      h('label', { for: 'signoff-user' }, 'Manager\'s user name'), su,
      h('label', { for: 'signoff-pass' }, 'Manager\'s password'), sp)], 'Close the concern', async () => {
    const body = { reason_code: sel.value, text: nb.ta.value };
    if (su.value) { body.signoff_username = su.value; body.signoff_password = sp.value; }
    try { await post(concernPath(c, 'close'), body); } finally { sp.value = ''; }
    ctx.say('Concern closed');
  }, ctx.refresh);
  sel.focus();
}

function historyLine(x) {
  return ukDateTime(x.at) + ' ' + (x.actor || '') + ': ' + String(x.action || '').replace(/_/g, ' ') +
    (x.reason_code ? ' (' + x.reason_code.replace(/_/g, ' ') + ')' : '') + (x.to ? ' to ' + rungName(x.to) : '') + (x.text ? ' – ' + x.text : '');
}

export default async function render(ctx) {
  const mine = ctx.params.get('mine') === '1';
  const out = h('div');
  ctx.page('Concerns', h('p', {}, mine ? h('a', { href: '#/concerns' }, 'Show every open concern you may see') :
    h('a', { href: '#/concerns?mine=1' }, 'Show my inbox only (mine, my rung\'s queue and, for a manager, my team\'s work)')), out);
  let r;
  try { r = await get('/api/concerns', mine ? {} : { all: '1' }, { signal: ctx.signal }); }
  catch (e) { return ctx.showError(e, out); }
  if (ctx.signal.aborted) return;
  if (!r.concerns.length) { out.append(h('p', {}, 'No open concerns.')); return; }
  const me = ctx.me;
  out.append(h('table', { id: 'concern-table', class: 'stack' }, h('thead', {}, h('tr', {}, ['About', 'Level', 'Rung', 'Owner', 'Status', 'Raised', 'Due', 'Actions']
    .map(x => h('th', {}, x)))),
  h('tbody', {}, r.concerns.map(c => h('tr', { 'data-id': c.id },
    h('td', { 'data-label': 'About' }, c.kind === 'child' ? h('a', { href: '#/person/' + encodeURIComponent(c.subject) }, about(c)) : about(c),
      c.title && !/^(auto:|C-\d)/.test(c.title) ? h('div', { class: 'muted small' }, plainTitle(c.title)) : '',
      c.strategic ? h('div', { class: 'muted small' }, 'on the board\'s agenda') : ''),
    h('td', { 'data-label': 'Level' }, level(c.level)),
    h('td', { 'data-label': 'Rung' }, rungName(c.rung)), h('td', { 'data-label': 'Owner' }, !c.owner || c.owner === c.rung ? 'the queue' : c.owner),
    h('td', { 'data-label': 'Status' }, c.status + (c.overdue ? ' (overdue)' : '')),
    h('td', { 'data-label': 'Raised' }, ukDate(c.raised_at)), h('td', { 'data-label': 'Due' }, c.due_at && !c.due_at.startsWith('1970') ? ukDate(c.due_at) : 'no deadline'),
    h('td', { class: 'actions' }, h('div', { class: 'buttons' },
      h('button', { type: 'button', class: 'secondary c-ack', onclick: async () => {
        try { await post(concernPath(c, 'ack'), {}); ctx.say('Acknowledged'); ctx.refresh(); }
        catch (e) { ctx.say(e.message); } } }, 'Acknowledge'),
      h('button', { type: 'button', class: 'secondary escalate', onclick: () => escalateDialog(ctx, c) }, 'Escalate'),
      h('button', { type: 'button', class: 'secondary comment', onclick: () => commentDialog(ctx, c) }, 'Comment'),
      me.role === 'manager' || me.role === 'analyst' ?
        h('button', { type: 'button', class: 'secondary assign', onclick: () => assignDialog(ctx, c) }, 'Reassign') : '',
      c.strategic ? '' : h('button', { type: 'button', class: 'secondary close', onclick: () => closeDialog(ctx, c) }, 'Close')),
    c.history && c.history.length ? h('details', {}, h('summary', {}, 'History (' + c.history.length + ')'),
      h('ul', { class: 'history' }, c.history.map(x => h('li', {}, historyLine(x))))) : ''))))));
}
