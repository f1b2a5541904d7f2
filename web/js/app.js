// joindots web application: a small router over hash routes. Each page is an
// ES module in pages/NAME.js, `export default async function render(ctx)`,
// loaded with import() when its route opens; ctx = { main, args, params, me,
// signal, page, say, showError, navigate, refresh }. A navigation superseded
// by a newer one is aborted (ctx.signal) and draws nothing. The menu and the
// routes a role may open come from /api/me: the server checks every role;
// the browser holds no copy of the role table.
import { h, clear } from './dom.js';
import { get, post, setCsrf, setOnExpired, ApiError } from './api.js';
import { closeAllDialogs } from './components/dialog.js';

const main = document.getElementById('main');
let me = null;
let current = null; // { seq, ctrl } of the navigation being drawn
let seq = 0;
let expiredNote = '';

function say(msg) {
  const st = document.getElementById('status');
  st.textContent = msg;
  st.classList.add('show');
  clearTimeout(say.t);
  say.t = setTimeout(() => st.classList.remove('show'), 2500);
}

function showError(e, where) {
  const msg = e instanceof ApiError ? e.message : 'Something went wrong: ' + e.message;
  (where || main).append(h('p', { class: 'error', role: 'alert' }, msg));
}

async function renderNav(route) {
  const nav = clear(document.getElementById('nav'));
  const who = clear(document.getElementById('who'));
  if (!me) return;
  for (const m of me.menu || []) {
    const badge = h('span', { class: 'count', 'data-count': m.count || '' });
    nav.append(h('a', { href: '#/' + m.route, 'aria-current': route === m.route ? 'page' : false }, m.label, badge));
  }
  who.append(h('span', {}, me.username + ' (' + me.role + (me.agency ? ', ' + me.agency : '') + ')'),
    h('button', { class: 'secondary', type: 'button', id: 'logout', onclick: logout }, 'Log out'));
  if ((me.menu || []).some(m => m.count)) {
    try {
      const c = await get('/api/counts', null, { quiet: true });
      for (const b of nav.querySelectorAll('.count')) {
        const n = c[b.dataset.count];
        b.textContent = n ? ' ' + n : '';
        if (n) b.setAttribute('aria-label', n + ' waiting');
      }
    } catch (e) { /* counts are a convenience */ }
  }
}

async function logout() {
  try { await post('/api/logout'); } catch (e) { /* ended anyway */ }
  me = null;
  setCsrf('');
  location.hash = '#/login';
}

// The session ended (any 401): back to the login page, saying why.
setOnExpired(() => {
  if (!me) return;
  me = null;
  setCsrf('');
  expiredNote = 'Your session has ended. Log in again to carry on.';
  closeAllDialogs();
  if (location.hash !== '#/login') location.hash = '#/login';
  else route();
});

function pageFn(title, ...content) {
  clear(main);
  document.title = title + ' – joindots';
  main.append(h('h1', {}, title), ...content);
  main.focus();
}

function loginPage(ctx) {
  const err = h('div');
  const u = h('input', { type: 'text', id: 'username', name: 'username', autocomplete: 'username', required: true });
  const p = h('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'card', onsubmit: async (ev) => {
    ev.preventDefault();
    clear(err);
    try {
      await post('/api/login', { username: u.value, password: p.value });
      me = await get('/api/me');
      setCsrf(me.csrf);
      expiredNote = '';
      location.hash = '#/' + (me.home || 'search');
    } catch (e) { showError(e, err); }
  } },
  h('label', { for: 'username' }, 'User name'), u,
  h('label', { for: 'password' }, 'Password'), p,
  h('p', {}, h('button', { type: 'submit' }, 'Log in')), err);
  ctx.page('Log in', expiredNote ? h('p', { class: 'notice', id: 'expired', role: 'status' }, expiredNote) : '', form);
  u.focus();
}

async function route() {
  const mySeq = ++seq;
  if (current) current.ctrl.abort();
  const ctrl = new AbortController();
  current = { seq: mySeq, ctrl };
  closeAllDialogs();
  const hash = location.hash.replace(/^#\/?/, '') || '';
  const [path, qs] = hash.split('?');
  const params = new URLSearchParams(qs || '');
  const [name, ...rest] = path.split('/');
  const args = rest.map(decodeURIComponent);
  if (!me && name !== 'login') {
    try { me = await get('/api/me', null, { quiet: true }); setCsrf(me.csrf); }
    catch (e) { me = null; }
    if (mySeq !== seq) return;
  }
  const live = () => mySeq === seq && !ctrl.signal.aborted;
  const ctx = {
    main, args, params, me, signal: ctrl.signal,
    // A superseded navigation draws nothing.
    page: (title, ...nodes) => { if (live()) pageFn(title, ...nodes); },
    say, showError: (e, where) => { if (live() && !(e && e.name === 'AbortError')) showError(e, where); },
    navigate: (hash) => { location.hash = hash; },
    refresh: () => route(),
  };
  if (!me) { renderNav(''); return loginPage(ctx); }
  if (name === 'login' || name === '') { location.hash = '#/' + (me.home || 'search'); return; }
  renderNav(name);
  // Only routes the server lists for this role: a board member never reaches
  // a person's page (nor is asked a reason for one).
  if (!(me.routes || []).includes(name)) {
    pageFn('Not available', h('p', { id: 'not-available' }, 'This page is not part of your role. Use the menu above.'));
    return;
  }
  let mod;
  try { mod = await import('./pages/' + name + '.js'); }
  catch (e) { console.error('page ' + name + ': ' + e.message); if (live()) { pageFn('Not found', h('p', {}, 'There is no such page.')); } return; }
  if (!live()) return;
  try { await mod.default(ctx); }
  catch (e) { if (live() && e.name !== 'AbortError') { if (!main.querySelector('h1')) pageFn('Error'); showError(e); } }
}

window.addEventListener('hashchange', route);
route();
