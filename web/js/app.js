// joindots web application: one page, hash routes, every call to the JSON
// API. The server checks every role; the menu only mirrors it.
import { h, s, clear, level, when, marked } from './dom.js';
import { get, post, setCsrf, ApiError } from './api.js';
import { secondLook } from './components/child-note.js';

const main = document.getElementById('main');
let me = null;

const MENU = {
  practitioner: [['search', 'Search'], ['alerts', 'Alerts'], ['concerns', 'Concerns'], ['note', 'Write a note']],
  manager: [['search', 'Search'], ['alerts', 'Alerts'], ['concerns', 'Concerns'], ['dashboard', 'Dashboard'],
    ['agenda', 'Board agenda'], ['note', 'Write a note']],
  analyst: [['search', 'Search'], ['alerts', 'Alerts'], ['concerns', 'Concerns'], ['network', 'Network'],
    ['profile', 'Profiles'], ['dashboard', 'Dashboard'], ['agenda', 'Board agenda'], ['note', 'Write a note']],
  board: [['dashboard', 'Dashboard'], ['agenda', 'Agenda']],
  auditor: [['audit', 'Audit log']],
  admin: [['users', 'Accounts']],
};

function say(msg) {
  const st = document.getElementById('status');
  st.textContent = msg;
  st.classList.add('show');
  setTimeout(() => st.classList.remove('show'), 2500);
}

function page(title, ...content) {
  clear(main);
  document.title = title + ' – joindots';
  main.append(h('h1', {}, title), ...content);
  main.focus();
}

function showError(e, where) {
  const msg = e instanceof ApiError ? e.message : 'Something went wrong: ' + e.message;
  (where || main).append(h('p', { class: 'error', role: 'alert' }, msg));
}

function renderNav(route) {
  const nav = clear(document.getElementById('nav'));
  const who = clear(document.getElementById('who'));
  if (!me) return;
  for (const [r, label] of MENU[me.role] || [])
    nav.append(h('a', { href: '#/' + r, 'aria-current': route === r ? 'page' : false }, label));
  who.append(h('span', {}, me.username + ' (' + me.role + (me.agency ? ', ' + me.agency : '') + ')'),
    h('button', { class: 'secondary', type: 'button', id: 'logout', onclick: logout }, 'Log out'));
}

async function logout() {
  try { await post('/api/logout'); } catch (e) { /* ended anyway */ }
  me = null;
  setCsrf('');
  location.hash = '#/login';
}

// ---- login ----
function loginPage() {
  const err = h('div');
  const u = h('input', { type: 'text', id: 'username', name: 'username', autocomplete: 'username', required: true });
  const p = h('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'card', onsubmit: async (ev) => {
    ev.preventDefault();
    clear(err);
    try {
      me = await post('/api/login', { username: u.value, password: p.value });
      setCsrf(me.csrf);
      location.hash = '#/' + (MENU[me.role] || [['search']])[0][0];
    } catch (e) { showError(e, err); }
  } },
  h('label', { for: 'username' }, 'User name'), u,
  h('label', { for: 'password' }, 'Password'), p,
  h('p', {}, h('button', { type: 'submit' }, 'Log in')), err);
  page('Log in', form);
  u.focus();
}

// ---- search ----
async function searchPage(params) {
  const q = h('input', { type: 'search', id: 'q', name: 'q', value: params.get('q') || '',
    placeholder: 'Name, date of birth (DD/MM/YYYY) or reference' });
  const out = h('div');
  const form = h('form', { class: 'card', role: 'search', onsubmit: (ev) => {
    ev.preventDefault();
    location.hash = '#/search?' + new URLSearchParams({ q: q.value });
  } }, h('label', { for: 'q' }, 'Find a child or a person'),
  h('div', { class: 'row' }, q, h('button', { type: 'submit' }, 'Search')),
  h('p', { class: 'muted' }, 'Names are matched even when spelt differently. Every search is recorded.'));
  page('Search', form, out);
  q.focus();
  if (!params.get('q')) return;
  try {
    const r = await get('/api/search', { q: params.get('q') });
    if (!r.results.length) { out.append(h('p', {}, 'Nobody found that you can see.')); return; }
    out.append(h('table', { id: 'results' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Date of birth'), h('th', {}, 'Child'),
        h('th', {}, 'Known to'), h('th', {}, ''))),
      h('tbody', {}, r.results.map(p => h('tr', {},
        h('td', {}, p.name || '(no name)'), h('td', {}, p.dob), h('td', {}, p.is_child ? 'yes' : 'no'),
        h('td', {}, [...new Set(p.refs.map(x => x.agency))].join(', ')),
        h('td', {}, h('a', { href: '#/person/' + encodeURIComponent(p.person_id) }, 'Open')))))));
  } catch (e) { showError(e, out); }
}

// ---- a reason before a sensitive record ----
function askReason(what, onReason) {
  const r = h('input', { type: 'text', id: 'reason', name: 'reason', minlength: 3, maxlength: 300, required: true });
  const form = h('form', { class: 'card', onsubmit: (ev) => {
    ev.preventDefault();
    onReason(r.value);
  } }, h('p', {}, 'You are opening ' + what + '. Say why you need it: the reason is recorded with your name.'),
  h('label', { for: 'reason' }, 'Reason'), r,
  h('p', {}, h('button', { type: 'submit' }, 'Open the record')));
  page('Why do you need this record?', form);
  r.focus();
}

// ---- a child's page: web/js/pages/person.js (the page-module contract) ----
async function personPage(id) {
  const ac = new AbortController();
  window.addEventListener('hashchange', () => ac.abort(), { once: true });
  const ctx = { main, args: [id], params: new URLSearchParams(), me, signal: ac.signal, page, say, showError,
    navigate: (hash) => { location.hash = hash; } };
  try { await (await import('./pages/person.js')).default(ctx); }
  catch (e) { if (!ac.signal.aborted) { page('Record'); showError(e); } }
}

// ---- a note with the language check ----
function noteBox(id, labelText) {
  const ta = h('textarea', { id, name: id, 'aria-describedby': id + '-check' });
  const out = h('div', { id: id + '-check', 'aria-live': 'polite' });
  let timer = null;
  ta.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      clear(out);
      if (!ta.value.trim()) return;
      try {
        const r = await post('/api/language-check', { text: ta.value });
        if (!r.language.length) { out.append(h('p', { class: 'muted' }, 'No wording to change.')); return; }
        out.append(h('p', { class: 'lang-preview' }, marked(ta.value, r.language.map(f =>
          ({ offset: f.offset, length: f.length, cls: 'lang', title: f.name })))),
        h('ul', { class: 'lang-advice' }, r.language.map(f => h('li', {},
          h('strong', {}, f.why || f.name), ': ', f.advice ? 'write instead ' + f.advice : f.name))));
      } catch (e) { showError(e, out); }
    }, 300);
  });
  return { el: h('div', {}, h('label', { for: id }, labelText), ta, out), ta };
}

function notePage() {
  const nb = noteBox('note', 'Your note');
  page('Write a note', h('div', { class: 'card' }, h('p', {}, 'Wording that blames a child is marked while you write, ' +
    'with what to write instead (describe what adults did; never imply choice).'), nb.el));
  nb.ta.focus();
}

// ---- alerts ----
async function alertsPage(params) {
  const kind = h('select', { id: 'kind', name: 'kind' }, ['', 'child_at_risk', 'exploitation_network', 'unrecorded_crime',
    'missing_pattern', 'overdue_return_interview', 'language', 'escalation'].map(k =>
    h('option', { value: k, selected: params.get('kind') === k }, k ? k.replace(/_/g, ' ') : 'any kind')));
  const lev = h('select', { id: 'level', name: 'level' }, ['', 'low', 'medium', 'high', 'critical'].map(k =>
    h('option', { value: k, selected: params.get('level') === k }, k || 'any level')));
  const open = h('input', { type: 'checkbox', id: 'open', checked: params.get('open') === '1' });
  const out = h('div');
  const form = h('form', { class: 'card row', onsubmit: (ev) => {
    ev.preventDefault();
    const q = {};
    if (kind.value) q.kind = kind.value;
    if (lev.value) q.level = lev.value;
    if (open.checked) q.open = '1';
    location.hash = '#/alerts?' + new URLSearchParams(q);
  } }, h('div', {}, h('label', { for: 'kind' }, 'Kind'), kind), h('div', {}, h('label', { for: 'level' }, 'Level'), lev),
  h('label', { for: 'open' }, open, ' not yet acknowledged'), h('button', { type: 'submit' }, 'Filter'));
  page('Alerts', form, out);
  const q = {};
  for (const k of ['kind', 'level', 'open']) if (params.get(k)) q[k] = params.get(k);
  try {
    const r = await get('/api/alerts', q);
    out.append(h('p', { class: 'muted' }, r.total + ' alerts' + (r.total > r.alerts.length ? ', first ' + r.alerts.length + ' shown' : '')));
    out.append(h('table', { id: 'alert-table' }, h('thead', {}, h('tr', {}, ['Level', 'Kind', 'About', 'Raised', 'Why', 'Acknowledged', '']
      .map(x => h('th', {}, x)))),
    h('tbody', {}, r.alerts.slice(0, 200).map(a => {
      const pid = a.subject && a.subject.person_id;
      return h('tr', { 'data-id': a.id }, h('td', {}, level(a.level)), h('td', {}, a.kind.replace(/_/g, ' ')),
        h('td', {}, pid ? h('a', { href: '#/person/' + encodeURIComponent(pid) }, pid) : (a.members ? a.members.length + ' people' : '')),
        h('td', {}, when(a.raised_at)), h('td', {}, (a.explanation || [])[0] || ''),
        h('td', {}, a.acknowledgements.map(k => h('div', {}, k.by + ': ' + k.note))),
        h('td', {}, h('button', { type: 'button', class: 'secondary ack', onclick: () => ackDialog(a) }, 'Acknowledge'), ' ',
          h('button', { type: 'button', class: 'secondary raise', onclick: () => raiseConcern(a) }, 'Raise a concern')));
    }))));
  } catch (e) { showError(e, out); }
}

function ackDialog(a) {
  const nb = noteBox('ack-note', 'Note (what you did or decided)');
  const err = h('div');
  const look = h('div', { id: 'ack-second-look' });
  let confirm = null;
  const dlg = h('dialog', { 'aria-labelledby': 'ack-h' }, h('form', { method: 'dialog', onsubmit: async (ev) => {
    ev.preventDefault();
    const body = { note: nb.ta.value };
    if (confirm && confirm.checked) body.confirmed = true;
    try {
      // wording that blames the child asks for a second look (components/child-note.js)
      await secondLook('/api/alerts/' + encodeURIComponent(a.id) + '/ack', body, look, 'ack');
      dlg.close(); dlg.remove();
      say('Alert acknowledged');
      route();
    } catch (e) {
      clear(err);
      if (e.secondLook) { confirm = e.secondLook; return; }
      showError(e, err);
    }
  } }, h('h2', { id: 'ack-h' }, 'Acknowledge ' + a.kind.replace(/_/g, ' ')), nb.el, look, err,
  h('div', { class: 'row' }, h('button', { type: 'submit', id: 'ack-save' }, 'Acknowledge'),
    h('button', { type: 'button', class: 'secondary', onclick: () => { dlg.close(); dlg.remove(); } }, 'Cancel'))));
  document.body.append(dlg);
  dlg.showModal();
  nb.ta.focus();
}

// ---- network ----
// The profile subject of a graph node: addresses are looked up as places.
const subjectOf = n => n.kind === 'address' ? 'place:' + (n.label || n.id.replace(/^address:/, '')) : n.id;

async function networkPage() {
  const box = h('div', { id: 'cy', role: 'img', 'aria-label': 'Network graph' });
  const info = h('div', { class: 'card', id: 'node-info', 'aria-live': 'polite' }, 'Select a node to see what it is.');
  const legend = h('p', { class: 'legend' }, [['#b3261e', 'child'], ['#102a43', 'adult'], ['#e0a800', 'vehicle'],
    ['#5b8def', 'phone'], ['#2e7d32', 'place'], ['#8e24aa', 'network']].map(([c, l]) => {
    const d = h('span', { class: 'dot' }); d.style.background = c; return h('span', {}, d, l);
  }));
  page('Network', legend, box, info);
  let g;
  try { g = await get('/api/network'); } catch (e) { return showError(e); }
  const { default: cytoscape } = await import('/vendor/cytoscape.esm.min.mjs');
  const colour = n => n.kind === 'person' ? (n.role === 'child' ? '#b3261e' : '#102a43') :
    ({ vehicle: '#e0a800', phone: '#5b8def', address: '#2e7d32', network: '#8e24aa' }[n.kind] || '#59636e');
  const ids = new Set(g.nodes.map(n => n.id));
  const cy = cytoscape({
    container: box,
    // Start from a circle (not at random) so the force-directed layout is
    // the same on every visit.
    elements: [...g.nodes.map((n, i) => ({ data: { ...n, label: n.kind === 'network' ? 'network' : (n.label || n.id), colour: colour(n) },
      position: { x: 400 * Math.cos(2 * Math.PI * i / g.nodes.length), y: 400 * Math.sin(2 * Math.PI * i / g.nodes.length) } })),
      ...g.edges.filter(e => ids.has(e.source) && ids.has(e.target)).map((e, i) => ({ data: { id: 'e' + i, ...e } }))],
    // Readability: children and networks are labelled; adults' long names,
    // vehicles, phones and places show their label on hover or selection
    // (and for the neighbours of the selected node). Labels are small, on a
    // white background, cut with an ellipsis; zoom is capped so a small
    // graph does not blow the text up.
    style: [{ selector: 'node', style: { 'background-color': 'data(colour)', label: '', width: 16, height: 16,
      'font-size': 10, color: '#1b1f24', 'text-valign': 'bottom', 'text-margin-y': 3, 'text-wrap': 'ellipsis',
      'text-max-width': 110, 'text-background-color': '#fff', 'text-background-opacity': 0.85,
      'text-background-padding': 2, 'text-background-shape': 'roundrectangle', 'min-zoomed-font-size': 6 } },
      { selector: 'node.labelled, node.hover, node.near, node:selected', style: { label: 'data(label)' } },
      { selector: 'node.hover, node:selected', style: { 'z-index': 20, 'text-max-width': 260, 'font-weight': 'bold',
        'text-background-opacity': 1 } },
      { selector: 'edge', style: { width: 1, 'line-color': '#c3cad3', 'curve-style': 'haystack' } },
      { selector: 'edge.near', style: { width: 2.5, 'line-color': '#f59e0b', 'z-index': 10 } },
      { selector: ':selected', style: { 'border-width': 3, 'border-color': '#f59e0b' } }],
    minZoom: 0.2,
    maxZoom: 1.6,
    layout: { name: 'cose', animate: false, randomize: false, nodeDimensionsIncludeLabels: true, padding: 40,
      nodeRepulsion: () => 600000, idealEdgeLength: () => 110, edgeElasticity: () => 80, nodeOverlap: 40,
      gravity: 0.2, componentSpacing: 120, numIter: 2500 },
  });
  cy.nodes().filter(n => n.data('kind') === 'network' || (n.data('kind') === 'person' && n.data('role') === 'child')).addClass('labelled');
  cy.on('mouseover', 'node', ev => ev.target.addClass('hover'));
  cy.on('mouseout', 'node', ev => ev.target.removeClass('hover'));
  cy.on('select', 'node', ev => {
    cy.elements().removeClass('near');
    ev.target.connectedEdges().addClass('near');
    ev.target.neighborhood('node').addClass('near');
  });
  cy.on('unselect', 'node', () => cy.elements().removeClass('near'));
  window.__cy = cy;
  // The same graph as a list, for keyboard and screen-reader users.
  main.append(h('details', { class: 'card' }, h('summary', {}, 'The graph as a list (' + g.nodes.length + ' nodes, ' + g.edges.length + ' links)'),
    h('ul', { id: 'node-list' }, g.nodes.map(n => h('li', {}, h('strong', {}, n.kind === 'network' ? 'network' : (n.label || n.id)),
      ' (' + n.kind + (n.role ? ', ' + n.role : '') + ', ' + g.edges.filter(e => e.source === n.id || e.target === n.id).length + ' links) ',
      n.kind === 'person' && n.role === 'child' ? h('a', { href: '#/person/' + encodeURIComponent(n.id) }, 'page') : '',
      n.kind !== 'network' ? [' ', h('a', { href: '#/profile?' + new URLSearchParams({ subject: subjectOf(n) }) }, 'profile')] : '')))));
  cy.on('tap', 'node', ev => {
    const n = ev.target.data();
    clear(info).append(h('h2', {}, n.label || n.id), h('p', {}, n.kind + (n.role ? ' (' + n.role + ')' : '') +
      (n.level ? ' · level ' + n.level : '') + (n.raised_at ? ' · since ' + when(n.raised_at) : '')),
    n.kind === 'person' && n.role === 'child' ? h('p', {}, h('a', { href: '#/person/' + encodeURIComponent(n.id) }, 'Open the child\'s page')) : '',
    n.kind !== 'network' ? h('p', {}, h('a', { href: '#/profile?' + new URLSearchParams({ subject: subjectOf(n) }) }, 'Open the profile')) : '');
  });
}

// ---- profiles ----
async function profilePage(params) {
  const subject = params.get('subject');
  const sub = h('input', { type: 'text', id: 'subject', value: subject || '', placeholder: 'person id, vehicle:MARK, phone:NUMBER, place:TEXT' });
  const form = h('form', { class: 'card', onsubmit: (ev) => {
    ev.preventDefault();
    location.hash = '#/profile?' + new URLSearchParams({ subject: sub.value });
  } }, h('label', { for: 'subject' }, 'Adult, vehicle, phone or place'), h('div', { class: 'row' }, sub, h('button', { type: 'submit' }, 'Show')));
  if (!subject) { page('Profiles', form); return; }
  const reason = sessionStorage.getItem('reason:' + subject);
  if (!reason) return askReason('the profile of ' + subject, r => { sessionStorage.setItem('reason:' + subject, r); profilePage(params); });
  page('Profile: ' + subject, form);
  let p;
  try { p = await get('/api/profile', { subject, reason }); } catch (e) { return showError(e); }
  const people = (title, list) => h('section', { class: 'card' }, h('h2', {}, title + ' (' + list.length + ')'),
    h('table', {}, h('tbody', {}, list.map(x => h('tr', {}, h('td', {}, x.name || x.person_id),
      h('td', {}, x.role || ''), h('td', {}, 'first seen ' + when(x.first_seen)),
      h('td', {}, x.risk && x.risk.level ? level(x.risk.level) : ''),
      h('td', {}, x.person_id && !x.person_id.startsWith('U:') ? h('a', { href: '#/person/' + encodeURIComponent(x.person_id) }, 'Open') : ''))))));
  main.append(
    p.adults ? people('Adults', p.adults) : '', p.children ? people('Children linked', p.children) : '',
    h('section', { class: 'card' }, h('h2', {}, 'Records (' + (p.records || []).length + ')'),
      h('ol', { class: 'timeline' }, (p.records || []).slice(0, 300).map(r => h('li', {},
        h('div', {}, h('span', { class: 'when' }, when(r.occurred_at)), ' ', h('span', { class: 'tag' }, r.agency),
          h('span', { class: 'tag' }, r.event_type), r.location ? ' · ' + r.location : ''),
        r.narrative ? h('p', {}, r.narrative) : '')))));
}

// ---- dashboard ----
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

function kv(obj) {
  return h('table', {}, h('tbody', {}, Object.entries(obj || {}).map(([k, v]) =>
    h('tr', {}, h('th', { scope: 'row' }, k.replace(/_/g, ' ')), h('td', {}, String(v))))));
}

async function dashboardPage() {
  page('Strategic dashboard');
  let d;
  try { d = await get('/api/dashboard'); } catch (e) { return showError(e); }
  main.append(h('p', { class: 'muted' }, 'Counts only: no child or adult is named on this page.'),
    h('section', { class: 'card' }, h('h2', {}, 'Children at each risk level, by year'), stackedBars(d.levels_over_time),
      h('p', { class: 'legend' }, 'blue low · amber medium · orange high · red critical')),
    h('div', { class: 'grid' },
      h('section', { class: 'card' }, h('h2', {}, 'Children by current level'), kv(d.children_by_level)),
      h('section', { class: 'card' }, h('h2', {}, 'Alerts by kind'), kv(d.alerts_by_kind)),
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
      h('section', { class: 'card' }, h('h2', {}, 'Victim-blaming wording, by agency'), kv(d.language_flags_by_agency)),
      d.open_strategic_items_by_age ? h('section', { class: 'card' }, h('h2', {}, 'Open strategic items by age'),
        kv(d.open_strategic_items_by_age)) : ''),
    h('section', { class: 'card' }, h('h2', {}, 'Hotspots'), h('table', { id: 'hotspots' },
      h('thead', {}, h('tr', {}, ['Place', 'Children at risk', 'Adults', 'Vehicles', 'Records'].map(x => h('th', {}, x)))),
      h('tbody', {}, d.hotspots.map(x => h('tr', {}, h('td', {}, x.place), h('td', {}, x.children), h('td', {}, x.adults),
        h('td', {}, x.vehicles), h('td', {}, x.records)))))),
    equalityCard(d.equality_monitoring),
    d.not_yet_available.length ? h('section', { class: 'card' }, h('h2', {}, 'Not yet on this dashboard'),
      h('ul', {}, d.not_yet_available.map(x => h('li', {}, x)))) : '');
}

function pct(x) {
  return x === null || x === undefined ? 'none due' : (x * 100).toFixed(1) + '%';
}

// Equality monitoring: rates side by side, a bar each (counts only).
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

// ---- audit ----
async function auditPage() {
  const res = h('p', { id: 'verify-result', 'aria-live': 'polite' });
  const out = h('div');
  page('Audit log', h('div', { class: 'card row' }, h('button', { type: 'button', id: 'verify', onclick: async () => {
    try {
      const v = await get('/api/audit/verify');
      res.textContent = v.intact ? 'The log is intact: ' + v.entries + ' entries.' :
        'The log is BROKEN at entry ' + v.first_bad + ': ' + v.problem;
      res.className = v.intact ? '' : 'error';
    } catch (e) { showError(e, res); }
  } }, 'Verify the hash chain'), res), out);
  try {
    const r = await get('/api/audit');
    out.append(h('table', { id: 'audit-table' }, h('thead', {}, h('tr', {}, ['#', 'When', 'Who', 'What', 'Target', 'Why', 'Outcome', 'Detail'].map(x => h('th', {}, x)))),
      h('tbody', {}, r.entries.slice().reverse().map(e => h('tr', {}, h('td', {}, e.seq), h('td', {}, when(e.at)), h('td', {}, e.actor),
        h('td', {}, e.action), h('td', {}, e.target), h('td', {}, e.reason), h('td', {}, e.ok ? 'ok' : 'refused'), h('td', {}, e.detail))))));
  } catch (e) { showError(e, out); }
}

// ---- accounts ----
async function usersPage() {
  const out = h('div');
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
    } catch (e) { clear(msg); showError(e, msg); }
  } }, h('h2', {}, 'New account'), h('label', { for: 'new-user' }, 'User name'), u,
  h('label', { for: 'new-role' }, 'Role'), role, h('label', { for: 'new-agency' }, 'Agency (practitioners and managers)'), ag,
  h('p', {}, h('button', { type: 'submit' }, 'Make the account')));
  page('Accounts', msg, out, form);
  async function act(name, what) {
    try {
      const r = await post('/api/users/' + encodeURIComponent(name) + '/' + what);
      msg.textContent = what === 'reset' ? 'New password for ' + name + ', shown once: ' + r.password : name + ': ' + what + 'd';
      load();
    } catch (e) { clear(msg); showError(e, msg); }
  }
  async function load() {
    clear(out);
    try {
      const r = await get('/api/users');
      out.append(h('table', { id: 'users' }, h('thead', {}, h('tr', {}, ['User', 'Role', 'Agency', 'State', ''].map(x => h('th', {}, x)))),
        h('tbody', {}, r.users.map(a => h('tr', {}, h('td', {}, a.username), h('td', {}, a.role), h('td', {}, a.agency),
          h('td', {}, a.disabled ? 'disabled' : 'active' + (a.failed_logins ? ' (' + a.failed_logins + ' failed logins)' : '')),
          h('td', {}, h('button', { type: 'button', class: 'secondary', onclick: () => act(a.username, a.disabled ? 'enable' : 'disable') }, a.disabled ? 'Enable' : 'Disable'), ' ',
            h('button', { type: 'button', class: 'secondary', onclick: () => act(a.username, 'reset') }, 'Reset password')))))));
    } catch (e) { showError(e, out); }
  }
  load();
}

// ---- concerns (issue 7's ladder) ----
async function raiseConcern(a) {
  try {
    const r = await post('/api/concerns', { from_alert: a.id });
    say('Concern ' + r.id + ' raised');
    location.hash = '#/concerns';
  } catch (e) { say(e.message); }
}

function escalateDialog(c) {
  const nb = noteBox('esc-note', 'Why it goes up a rung');
  const err = h('div');
  const dlg = h('dialog', { 'aria-labelledby': 'esc-h' }, h('form', { method: 'dialog', onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      await post('/api/concerns/' + encodeURIComponent(c.id) + '/escalate', { text: nb.ta.value });
      dlg.close(); dlg.remove();
      say('Concern escalated');
      route();
    } catch (e) { clear(err); showError(e, err); }
  } }, h('h2', { id: 'esc-h' }, 'Escalate ' + c.id + ' (now at ' + c.rung.replace(/_/g, ' ') + ')'), nb.el, err,
  h('div', { class: 'row' }, h('button', { type: 'submit', id: 'esc-save' }, 'Escalate'),
    h('button', { type: 'button', class: 'secondary', onclick: () => { dlg.close(); dlg.remove(); } }, 'Cancel'))));
  document.body.append(dlg);
  dlg.showModal();
  nb.ta.focus();
}

// A modal form: fields, a submit that posts; errors from the server are shown in it.
function formDialog(id, title, fields, submitLabel, onSubmit) {
  const err = h('div', { id: id + '-error', 'aria-live': 'assertive' });
  const close = () => { dlg.close(); dlg.remove(); };
  const dlg = h('dialog', { id: id + '-dialog', 'aria-labelledby': id + '-h' }, h('form', { method: 'dialog', onsubmit: async (ev) => {
    ev.preventDefault();
    clear(err);
    try { await onSubmit(); close(); route(); } catch (e) { showError(e, err); }
  } }, h('h2', { id: id + '-h' }, title), fields, err,
  h('div', { class: 'row' }, h('button', { type: 'submit', id: id + '-save' }, submitLabel),
    h('button', { type: 'button', class: 'secondary', onclick: close }, 'Cancel'))));
  document.body.append(dlg);
  dlg.showModal();
  return dlg;
}

const concernPath = (c, verb) => '/api/concerns/' + encodeURIComponent(c.id) + '/' + verb;

function commentDialog(c) {
  const nb = noteBox('comment-note', 'Comment');
  formDialog('comment', 'Comment on ' + c.id, [nb.el], 'Add the comment', async () => {
    await post(concernPath(c, 'comment'), { text: nb.ta.value });
    say('Comment added');
  });
  nb.ta.focus();
}

function assignDialog(c) {
  const to = h('input', { type: 'text', id: 'assign-to', autocomplete: 'off', required: true });
  const why = h('input', { type: 'text', id: 'assign-why' });
  formDialog('assign', 'Reassign ' + c.id + ' (now ' + (c.owner || 'the queue') + ')',
    [h('label', { for: 'assign-to' }, 'User name of the person taking it over'), to,
      h('label', { for: 'assign-why' }, 'Note (optional)'), why], 'Reassign', async () => {
      await post(concernPath(c, 'assign'), { to: to.value, text: why.value || undefined });
      say('Reassigned to ' + to.value);
    });
  to.focus();
}

async function closeDialog(c) {
  let reasons = [];
  try { reasons = (await get('/api/close-reasons')).reasons; } catch (e) { say(e.message); return; }
  const sel = h('select', { id: 'close-reason' }, h('option', { value: '' }, 'choose a reason'),
    reasons.map(r => h('option', { value: r.code }, r.text)));
  const nb = noteBox('close-note', 'Why it can close (recorded in its history)');
  const su = h('input', { type: 'text', id: 'signoff-user', autocomplete: 'off' });
  const sp = h('input', { type: 'password', id: 'signoff-pass', autocomplete: 'off' });
  const high = c.level === 'high' || c.level === 'critical';
  formDialog('close', 'Close ' + c.id, [
    h('label', { for: 'close-reason' }, 'Reason'), sel, nb.el,
    h('fieldset', {}, h('legend', {}, 'Manager\'s sign-off' + (high ? ' (needed: this concern is ' + c.level + ')' : '')),
      h('p', { class: 'muted' }, 'Needed at high or critical, and for "no further action" on a disclosure. ' +
        'A team or service manager other than you enters their own user name and password.'),
      h('label', { for: 'signoff-user' }, 'Manager\'s user name'), su,
      h('label', { for: 'signoff-pass' }, 'Manager\'s password'), sp)], 'Close the concern', async () => {
    const body = { reason_code: sel.value, text: nb.ta.value };
    if (su.value) { body.signoff_username = su.value; body.signoff_password = sp.value; }
    try { await post(concernPath(c, 'close'), body); } finally { sp.value = ''; }
    say('Concern closed');
  });
  sel.focus();
}

async function concernsPage(params) {
  const mine = params.get('mine') === '1';
  const out = h('div');
  page('Concerns', h('p', {}, mine ? h('a', { href: '#/concerns' }, 'Show every open concern you may see') :
    h('a', { href: '#/concerns?mine=1' }, 'Show my inbox only (mine, my rung\'s queue and, for a manager, my team\'s work)')), out);
  try {
    const r = await get('/api/concerns', mine ? {} : { all: '1' });
    if (!r.concerns.length) { out.append(h('p', {}, 'No open concerns.')); return; }
    out.append(h('table', { id: 'concern-table' }, h('thead', {}, h('tr', {}, ['Concern', 'Level', 'About', 'Rung', 'Owner', 'Status', 'Raised', 'Due', '']
      .map(x => h('th', {}, x)))),
    h('tbody', {}, r.concerns.map(c => h('tr', { 'data-id': c.id }, h('td', {}, c.id + (c.strategic ? ' (board agenda)' : '')),
      h('td', {}, level(c.level)),
      h('td', {}, c.kind === 'child' ? h('a', { href: '#/person/' + encodeURIComponent(c.subject) }, c.subject) : c.kind + ': ' + c.subject),
      h('td', {}, c.rung.replace(/_/g, ' ')), h('td', {}, c.owner), h('td', {}, c.status + (c.overdue ? ' (overdue)' : '')),
      h('td', {}, when(c.raised_at)), h('td', {}, when(c.due_at)),
      h('td', {}, h('button', { type: 'button', class: 'secondary c-ack', onclick: async () => {
        try { await post('/api/concerns/' + encodeURIComponent(c.id) + '/ack', {}); say('Acknowledged'); route(); }
        catch (e) { say(e.message); } } }, 'Acknowledge'), ' ',
      h('button', { type: 'button', class: 'secondary escalate', onclick: () => escalateDialog(c) }, 'Escalate'), ' ',
      h('button', { type: 'button', class: 'secondary comment', onclick: () => commentDialog(c) }, 'Comment'), ' ',
      me.role === 'manager' || me.role === 'analyst' ?
        [h('button', { type: 'button', class: 'secondary assign', onclick: () => assignDialog(c) }, 'Reassign'), ' '] : '',
      c.strategic ? '' : h('button', { type: 'button', class: 'secondary close', onclick: () => closeDialog(c) }, 'Close'),
      c.history && c.history.length ? h('details', {}, h('summary', {}, 'History (' + c.history.length + ')'),
        h('ul', { class: 'history' }, c.history.map(x => h('li', {}, when(x.at) + ' ' + (x.actor || '') + ': ' + (x.action || '') +
          (x.reason_code ? ' (' + x.reason_code + ')' : '') + (x.to ? ' to ' + x.to : '') + (x.text ? ' – ' + x.text : ''))))) : ''))))));
  } catch (e) { showError(e, out); }
}

function decideDialog(c) {
  const d = h('input', { type: 'text', id: 'decision', required: true });
  const who = h('input', { type: 'text', id: 'decision-maker', required: true });
  const why = h('textarea', { id: 'decision-why', required: true });
  formDialog('decide', 'The board\'s decision on ' + c.id, [
    h('label', { for: 'decision' }, 'Decision'), d,
    h('label', { for: 'decision-maker' }, 'Decision-maker (name and role)'), who,
    h('label', { for: 'decision-why' }, 'Reason'), why], 'Record the decision', async () => {
    await post(concernPath(c, 'decide'), { decision: d.value, decision_maker: who.value, text: why.value });
    say('Decision recorded');
  });
  d.focus();
}

async function agendaPage() {
  page('The board\'s agenda');
  try {
    const r = await get('/api/agenda');
    main.append(h('p', { class: 'muted' }, 'Open strategic items and their age. An item leaves the agenda only by a recorded board decision.'));
    if (!r.items.length) { main.append(h('p', { id: 'agenda-empty' }, 'No open strategic items.')); return; }
    const board = me.role === 'board';
    main.append(h('table', { id: 'agenda' }, h('thead', {}, h('tr', {}, ['Item', 'Kind', 'Level', 'Rung', 'Raised', 'Age (days)', 'Overdue', board ? '' : null]
      .filter(x => x !== null).map(x => h('th', {}, x)))),
      h('tbody', {}, r.items.map(c => h('tr', { 'data-id': c.id }, h('td', {}, c.id), h('td', {}, c.kind), h('td', {}, level(c.level)),
        h('td', {}, c.rung.replace(/_/g, ' ')), h('td', {}, when(c.raised_at)), h('td', {}, c.age_days), h('td', {}, c.overdue ? 'yes' : 'no'),
        board ? h('td', {}, h('button', { type: 'button', class: 'secondary decide', onclick: () => decideDialog(c) }, 'Record the decision')) : '')))));
  } catch (e) { showError(e); }
}

// ---- router ----
async function route() {
  const hash = location.hash.replace(/^#\/?/, '') || '';
  const [path, qs] = hash.split('?');
  const params = new URLSearchParams(qs || '');
  const [name, arg] = path.split('/');
  if (!me && name !== 'login') {
    try { me = await get('/api/me'); setCsrf(me.csrf); }
    catch (e) { me = null; }
  }
  if (!me) { renderNav(''); return loginPage(); }
  renderNav(name);
  const home = (MENU[me.role] || [['search']])[0][0];
  switch (name) {
    case 'login': case '': location.hash = '#/' + home; return;
    case 'search': return searchPage(params);
    case 'person': return personPage(decodeURIComponent(arg || ''));
    case 'alerts': return alertsPage(params);
    case 'network': return networkPage();
    case 'profile': return profilePage(params);
    case 'dashboard': return dashboardPage();
    case 'note': return notePage();
    case 'concerns': return concernsPage(params);
    case 'agenda': return agendaPage();
    case 'audit': return auditPage();
    case 'users': return usersPage();
    default: page('Not found', h('p', {}, 'There is no such page.'));
  }
}

window.addEventListener('hashchange', route);
route();
