// Accounts (administrators).
import { h, clear } from '../dom.js';
import { get, post } from '../api.js';

export default async function render(ctx) {
  const out = h('div', { class: 'scroll-x' });
  const msg = h('p', { 'aria-live': 'polite', id: 'user-msg' });
  const u = h('input', { type: 'text', id: 'new-user' });
  const role = h('select', { id: 'new-role' }, ['practitioner', 'analyst', 'manager', 'board', 'auditor', 'admin'].map(r => h('option', { value: r }, r)));
  const ag = h('input', { type: 'text', id: 'new-agency' });
  const form = h('form', { class: 'card', onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      const r = await post('/api/users', { username: u.value, role: role.value, agency: ag.value });
      msg.textContent = 'Account ' + r.username + ' made. Its password, shown once: ' + r.password;
      load();
    } catch (e) { clear(msg); ctx.showError(e, msg); }
  } }, h('h2', {}, 'New account'), h('label', { for: 'new-user' }, 'User name'), u,
  h('label', { for: 'new-role' }, 'Role'), role, h('label', { for: 'new-agency' }, 'Agency (practitioners and managers)'), ag,
  h('p', {}, h('button', { type: 'submit' }, 'Make the account')));
  ctx.page('Accounts', msg, out, form);
  async function act(name, what) {
    try {
      const r = await post('/api/users/' + encodeURIComponent(name) + '/' + what);
      msg.textContent = what === 'reset' ? 'New password for ' + name + ', shown once: ' + r.password : name + ': ' + what + 'd';
      load();
    } catch (e) { clear(msg); ctx.showError(e, msg); }
  }
  async function load() {
    clear(out);
    try {
      const r = await get('/api/users', null, { signal: ctx.signal });
      out.append(h('table', { id: 'users' }, h('thead', {}, h('tr', {}, ['User', 'Role', 'Agency', 'State', ''].map(x => h('th', {}, x)))),
        h('tbody', {}, r.users.map(a => h('tr', {}, h('td', {}, a.username), h('td', {}, a.role), h('td', {}, a.agency),
          h('td', {}, a.disabled ? 'disabled' : 'active' + (a.failed_logins ? ' (' + a.failed_logins + ' failed logins)' : '')),
          h('td', {}, h('button', { type: 'button', class: 'secondary', onclick: () => act(a.username, a.disabled ? 'enable' : 'disable') }, a.disabled ? 'Enable' : 'Disable'), ' ',
            h('button', { type: 'button', class: 'secondary', onclick: () => act(a.username, 'reset') }, 'Reset password')))))));
    } catch (e) { ctx.showError(e, out); }
  }
  load();
}
