// The network for analysts: a plain SVG drawing of adults, children,
// vehicles, phones, places and networks; links labelled with what they are
// and when ("in vehicle AR60VHA, 16/09/2004"); expand from a node; the path
// between two people; a time slider; GraphML export.
import { h, s, clear, level } from '../dom.js';
import { get } from '../api.js';
import { ukDate } from '../format.js';
import { legend } from '../components/chart.js';
import { mergeEdges, layout, shortestPath, linkWords, graphml } from '../components/graph.js';

const W = 1000, H = 640;
const COLOUR = { child: '#b3261e', adult: '#102a43', vehicle: '#e0a800', phone: '#5b8def', address: '#2e7d32', network: '#8e24aa' };
const colourOf = n => n.kind === 'person' ? (n.role === 'child' ? COLOUR.child : COLOUR.adult) : COLOUR[n.kind] || '#59636e';
const kindWords = n => n.kind === 'person' ? (n.role === 'child' ? 'child' : 'adult') : n.kind === 'address' ? 'place' : n.kind;
const profileOf = n => n.kind === 'address' ? 'place:' + n.label : n.kind === 'person' ? n.id : n.id;

export default async function render(ctx) {
  ctx.page('Network');
  let g;
  try { g = await get('/api/network', null, { signal: ctx.signal }); } catch (e) { return ctx.showError(e); }
  if (ctx.signal.aborted) return;
  const byId = new Map(g.nodes.map(n => [n.id, { ...n }]));
  // Names, never ids: a network is named after the person it was found around.
  for (const n of byId.values()) {
    if (n.kind === 'network') {
      const around = byId.get(n.around);
      n.label = around && around.label ? 'Network around ' + around.label : 'An exploitation network';
    }
    if (!n.label) n.label = kindWords(n);
  }
  const nodes = [...byId.values()];
  const links = mergeEdges(nodes, g.edges);
  const dates = links.map(l => l.first).filter(Boolean).sort();
  const day = iso => Math.floor(Date.parse(iso) / 86400e3);
  const dmin = dates.length ? day(dates[0]) : 0, dmax = dates.length ? day(dates[dates.length - 1]) : 0;
  const neighbours = id => links.filter(l => l.source === id || l.target === id).map(l => l.source === id ? l.target : l.source);
  // What is shown: everything when small, else the networks and their members.
  // What is shown first: the networks and their members; vehicles, phones,
  // places and other people come by expanding a node (or "Show everything").
  const nets = nodes.filter(n => n.kind === 'network');
  const members = id => links.filter(l => (l.source === id || l.target === id) && l.kinds.has('member')).map(l => l.source === id ? l.target : l.source);
  const visible = new Set(nets.length ? nets.flatMap(n => [n.id, ...members(n.id)]) :
    nodes.slice().sort((a, b) => neighbours(b.id).length - neighbours(a.id).length).slice(0, 80).map(n => n.id));
  const st = { selected: null, path: null, upTo: dmax };

  const slider = h('input', { type: 'range', id: 'time', min: dmin, max: dmax, value: dmax, step: 1, 'aria-describedby': 'time-label' });
  const sliderLabel = h('span', { id: 'time-label' });
  const people = nodes.filter(n => n.kind === 'person').sort((a, b) => a.label.localeCompare(b.label));
  const pick = id => h('select', { id }, h('option', { value: '' }, 'choose a person'), people.map(p => h('option', { value: p.id }, p.label + ' (' + kindWords(p) + ')')));
  const from = pick('path-from'), to = pick('path-to');
  const pathOut = h('p', { id: 'path-result', 'aria-live': 'polite' });
  const svg = s('svg', { id: 'graph', class: 'graph', viewBox: `0 0 ${W} ${H}`, role: 'group', 'aria-label': 'Network drawing' });
  const info = h('div', { class: 'card', id: 'node-info', 'aria-live': 'polite' }, 'Select a node to see what it is and its links.');
  const list = h('ul', { id: 'node-list' });
  const count = h('p', { class: 'muted', id: 'graph-count' });
  const liveLinks = () => links.filter(l => visible.has(l.source) && visible.has(l.target) && (!l.first || day(l.first) <= st.upTo));
  let pos = new Map();
  function relayout() { pos = layout([...visible], liveLinks(), W, H); }

  function draw() {
    clear(svg);
    const ll = liveLinks();
    sliderLabel.textContent = 'Links known by ' + (dates.length ? ukDate(new Date(st.upTo * 86400e3).toISOString().slice(0, 10)) : 'any date');
    const onPath = new Set();
    if (st.path) for (let i = 0; i + 1 < st.path.length; i++) onPath.add([st.path[i], st.path[i + 1]].sort().join('\u0000'));
    const labelAll = ll.length <= 30;
    const gl = s('g', { class: 'links' }), gt = s('g', { class: 'link-labels' }), gn = s('g', { class: 'nodes' });
    for (const l of ll) {
      const a = pos.get(l.source), b = pos.get(l.target);
      if (!a || !b) continue;
      const key = [l.source, l.target].sort().join('\u0000');
      const hot = onPath.has(key) || l.source === st.selected || l.target === st.selected;
      const other = byId.get(byId.get(l.source).kind === 'person' ? l.target : l.source);
      const words = linkWords([...l.kinds.keys()][0], other) + (l.first ? ', ' + ukDate(l.first) : '') + (l.count > 1 ? ' (' + l.count + ' times)' : '');
      gl.append(s('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: onPath.has(key) ? '#b3261e' : hot ? '#f59e0b' : '#c3cad3',
        'stroke-width': onPath.has(key) ? 4 : hot ? 2.5 : 1, class: 'link' + (hot ? ' hot' : '') + (onPath.has(key) ? ' on-path' : ''),
        'data-words': words }, s('title', {}, words)));
      if (hot || labelAll)
        gt.append(s('text', { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 3, 'font-size': 10, fill: '#334155', 'text-anchor': 'middle',
          class: 'link-label', stroke: '#fff', 'stroke-width': 3, 'paint-order': 'stroke' }, words));
    }
    for (const id of visible) {
      const n = byId.get(id), p = pos.get(id);
      if (!p) continue;
      const sel = id === st.selected, on = st.path && st.path.includes(id);
      const hidden = neighbours(id).filter(x => !visible.has(x)).length;
      const grp = s('g', { class: 'node', tabindex: 0, role: 'button', 'data-id': id,
        'aria-label': n.label + ', ' + kindWords(n) + (hidden ? ', ' + hidden + ' links not shown' : ''), 'aria-pressed': sel ? 'true' : 'false' },
      s('circle', { cx: p.x, cy: p.y, r: n.kind === 'network' ? 11 : 8, fill: colourOf(n), stroke: sel || on ? '#f59e0b' : '#fff', 'stroke-width': sel || on ? 4 : 1.5 }),
      hidden ? s('text', { x: p.x + 9, y: p.y - 7, 'font-size': 10, fill: '#59636e' }, '+' + hidden) : '',
      s('text', { x: p.x, y: p.y + 20, 'font-size': sel ? 12 : 11, 'font-weight': sel ? 'bold' : 'normal', fill: '#1b1f24', 'text-anchor': 'middle',
        stroke: '#fff', 'stroke-width': 3, 'paint-order': 'stroke' }, n.label.length > 28 && !sel ? n.label.slice(0, 27) + '…' : n.label));
      grp.addEventListener('click', () => select(id));
      grp.addEventListener('keydown', ev => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); select(id); } });
      gn.append(grp);
    }
    svg.append(gl, gt, gn);
    count.textContent = visible.size + ' of ' + nodes.length + ' shown, ' + ll.length + ' links';
    clear(list).append(...[...visible].map(id => byId.get(id)).sort((a, b) => a.label.localeCompare(b.label)).map(n =>
      h('li', {}, h('strong', {}, n.label), ' (' + kindWords(n) + ', ' + neighbours(n.id).length + ' links) ',
        n.kind === 'person' && n.role === 'child' ? h('a', { href: '#/person/' + encodeURIComponent(n.id) }, 'page') : '',
        n.kind !== 'network' ? [' ', h('a', { href: '#/profile?' + new URLSearchParams({ subject: profileOf(n) }) }, 'profile')] : '')));
    window.__graph = { nodes: nodes.length, visible: [...visible], links: ll.length, selected: st.selected, path: st.path,
      labels: [...svg.querySelectorAll('.link-label')].map(t => t.textContent) };
  }

  function select(id) {
    st.selected = id;
    const n = byId.get(id);
    const mine = links.filter(l => (l.source === id || l.target === id) && (!l.first || day(l.first) <= st.upTo));
    const hidden = neighbours(id).filter(x => !visible.has(x));
    clear(info).append(h('h2', {}, n.label), h('p', {}, kindWords(n), n.level ? [' · ', level(n.level)] : '', n.raised_at ? ' · since ' + ukDate(n.raised_at) : ''),
      h('div', { class: 'row' },
        hidden.length ? h('button', { type: 'button', id: 'expand', onclick: () => { hidden.forEach(x => visible.add(x)); relayout(); select(id); } }, 'Expand: show ' + hidden.length + ' more') : '',
        n.kind === 'person' && n.role === 'child' ? h('a', { href: '#/person/' + encodeURIComponent(n.id) }, 'Open the child\'s page') : '',
        n.kind !== 'network' ? h('a', { href: '#/profile?' + new URLSearchParams({ subject: profileOf(n) }), id: 'open-profile' }, 'Open the profile') : '',
        n.kind === 'person' ? h('button', { type: 'button', class: 'secondary', onclick: () => { from.value = id; from.focus(); } }, 'Path from here') : ''),
      h('ul', { class: 'links-of' }, mine.slice(0, 40).map(l => {
        const o = byId.get(l.source === id ? l.target : l.source);
        const other = byId.get(byId.get(l.source).kind === 'person' ? l.target : l.source);
        return h('li', {}, o.label + ': ' + linkWords([...l.kinds.keys()][0], other) + (l.first ? ', first ' + ukDate(l.first) : '') + (l.count > 1 ? ' (' + l.count + ' times)' : ''));
      })));
    draw();
  }

  slider.addEventListener('input', () => { st.upTo = +slider.value; draw(); });
  const pathBtn = h('button', { type: 'button', id: 'path-go', onclick: () => {
    if (!from.value || !to.value) { pathOut.textContent = 'Choose two people.'; return; }
    // Through real links first (a vehicle, a place, a phone, a shared child);
    // through membership of a network only when nothing else joins them.
    const known = links.filter(l => !l.first || day(l.first) <= st.upTo);
    const p = shortestPath(known.filter(l => byId.get(l.source).kind !== 'network' && byId.get(l.target).kind !== 'network'), from.value, to.value) ||
      shortestPath(known, from.value, to.value);
    if (!p) { st.path = null; pathOut.textContent = 'No path joins them in what is known by this date.'; draw(); return; }
    p.forEach(x => visible.add(x));
    st.path = p;
    relayout();
    pathOut.textContent = p.map(x => byId.get(x).label).join(' → ') + ' (' + (p.length - 1) + ' links)';
    draw();
  } }, 'Show the path');
  const dl = h('button', { type: 'button', class: 'secondary', id: 'graphml', onclick: () => {
    const shown = nodes.filter(n => visible.has(n.id));
    const blob = new Blob([graphml(shown, liveLinks())], { type: 'application/graphml+xml' });
    const a = h('a', { href: URL.createObjectURL(blob), download: 'joindots-network.graphml' });
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    ctx.say('GraphML saved: ' + shown.length + ' nodes');
  } }, 'Download GraphML');
  const all = h('button', { type: 'button', class: 'secondary', id: 'show-all', onclick: () => { nodes.forEach(n => visible.add(n.id)); relayout(); draw(); } }, 'Show everything');
  ctx.main.append(
    legend([[COLOUR.child, 'child'], [COLOUR.adult, 'adult'], [COLOUR.vehicle, 'vehicle'], [COLOUR.phone, 'phone'], [COLOUR.address, 'place'], [COLOUR.network, 'network']]),
    h('div', { class: 'card row controls' }, h('label', { for: 'time' }, 'Time'), slider, sliderLabel, all, dl),
    h('div', { class: 'card row controls' }, h('label', { for: 'path-from' }, 'Path from'), from, h('label', { for: 'path-to' }, 'to'), to, pathBtn, pathOut),
    count, h('div', { class: 'graph-box' }, svg), info,
    h('details', { class: 'card' }, h('summary', {}, 'The graph as a list'), list));
  relayout();
  draw();
}
