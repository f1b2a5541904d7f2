// The network as a plain SVG drawing (no graph library: every style is an
// SVG attribute, so the page keeps a strict style-src). A small
// deterministic force layout, links merged by pair with their kinds and
// dates, shortest paths by breadth-first search, and GraphML.

// What a link says, in words: "in vehicle AR60VHA", "at the takeaway".
export function linkWords(kind, other) {
  const o = other ? (other.kind === 'vehicle' ? 'vehicle ' + other.label : other.kind === 'phone' ? 'phone ' + other.label : other.label) : '';
  switch (kind) {
    case 'seen_with': return other && other.kind === 'vehicle' ? 'in vehicle ' + other.label : other && other.kind === 'phone' ? 'used phone ' + other.label : 'seen with ' + o;
    case 'seen_at': return 'at ' + o;
    case 'member': return 'member of the network';
    case 'tie_child_in_common': return 'a child in common';
    case 'tie_vehicle': return 'the same vehicle';
    case 'tie_phone': return 'the same phone';
    case 'tie_co_offending': return 'offended together';
    case 'link_event': return 'named in the same record';
    default: return String(kind || 'linked').replace(/_/g, ' ');
  }
}

// Merge the edges of one pair: kinds, dates (sorted), count.
export function mergeEdges(nodes, edges) {
  const byId = new Map(nodes.map(n => [n.id, n]));
  const pairs = new Map();
  for (const e of edges) {
    if (!byId.has(e.source) || !byId.has(e.target)) continue;
    const [a, b] = e.source < e.target ? [e.source, e.target] : [e.target, e.source];
    const key = a + '\u0000' + b;
    let p = pairs.get(key);
    if (!p) { p = { source: a, target: b, kinds: new Map(), dates: [] }; pairs.set(key, p); }
    p.kinds.set(e.kind, (p.kinds.get(e.kind) || 0) + 1);
    if (e.at) p.dates.push(e.at);
  }
  for (const p of pairs.values()) { p.dates.sort(); p.first = p.dates[0] || ''; p.count = p.dates.length || 1; }
  return [...pairs.values()];
}

// Fruchterman-Reingold from a circle: the same drawing on every visit.
export function layout(ids, links, width, height, iterations = 300) {
  const n = ids.length, pos = new Map();
  ids.forEach((id, i) => pos.set(id, { x: width / 2 + width * 0.35 * Math.cos(2 * Math.PI * i / Math.max(1, n)),
    y: height / 2 + height * 0.35 * Math.sin(2 * Math.PI * i / Math.max(1, n)) }));
  if (n < 2) return pos;
  const k = Math.sqrt(width * height / n) * 1.1;
  const P = ids.map(id => pos.get(id));
  const index = new Map(ids.map((id, i) => [id, i]));
  const L = links.map(l => [index.get(l.source), index.get(l.target)]).filter(([a, b]) => a !== undefined && b !== undefined);
  let t = width / 8;
  for (let it = 0; it < iterations; it++) {
    const dx = new Float64Array(n), dy = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
      let x = P[i].x - P[j].x, y = P[i].y - P[j].y;
      const d2 = Math.max(0.01, x * x + y * y), f = k * k / d2;
      dx[i] += x * f; dy[i] += y * f; dx[j] -= x * f; dy[j] -= y * f;
    }
    for (const [a, b] of L) {
      const x = P[a].x - P[b].x, y = P[a].y - P[b].y, d = Math.max(0.1, Math.hypot(x, y)), f = d / k;
      dx[a] -= x * f; dy[a] -= y * f; dx[b] += x * f; dy[b] += y * f;
    }
    for (let i = 0; i < n; i++) {
      // a little gravity keeps separate groups on the page
      dx[i] += (width / 2 - P[i].x) * 0.01; dy[i] += (height / 2 - P[i].y) * 0.01;
      const d = Math.max(0.01, Math.hypot(dx[i], dy[i])), m = Math.min(d, t);
      P[i].x = Math.min(width - 30, Math.max(30, P[i].x + dx[i] / d * m));
      P[i].y = Math.min(height - 30, Math.max(30, P[i].y + dy[i] / d * m));
    }
    t = Math.max(1, t * 0.98);
  }
  // Fill the drawing: scale the layout to the box, with room for labels.
  const xs = P.map(p => p.x), ys = P.map(p => p.y);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  for (const p of P) {
    p.x = x1 > x0 ? 90 + (p.x - x0) / (x1 - x0) * (width - 180) : width / 2;
    p.y = y1 > y0 ? 30 + (p.y - y0) / (y1 - y0) * (height - 70) : height / 2;
  }
  return pos;
}

// Shortest path (fewest links) between two nodes over the given links.
export function shortestPath(links, from, to) {
  const adj = new Map();
  for (const l of links) {
    if (!adj.has(l.source)) adj.set(l.source, []);
    if (!adj.has(l.target)) adj.set(l.target, []);
    adj.get(l.source).push(l.target);
    adj.get(l.target).push(l.source);
  }
  const prev = new Map([[from, null]]), queue = [from];
  while (queue.length) {
    const x = queue.shift();
    if (x === to) break;
    for (const y of adj.get(x) || []) if (!prev.has(y)) { prev.set(y, x); queue.push(y); }
  }
  if (!prev.has(to)) return null;
  const path = [];
  for (let x = to; x !== null; x = prev.get(x)) path.unshift(x);
  return path;
}

const esc = s => String(s ?? '').replace(/[<>&"']/g, c => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' }[c]));

// GraphML of nodes and merged links (kind, role, label, level; link kinds, first date, count).
export function graphml(nodes, links) {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    '<key id="label" for="node" attr.name="label" attr.type="string"/>',
    '<key id="kind" for="node" attr.name="kind" attr.type="string"/>',
    '<key id="role" for="node" attr.name="role" attr.type="string"/>',
    '<key id="level" for="node" attr.name="level" attr.type="string"/>',
    '<key id="kinds" for="edge" attr.name="kinds" attr.type="string"/>',
    '<key id="first" for="edge" attr.name="first_seen" attr.type="string"/>',
    '<key id="count" for="edge" attr.name="count" attr.type="int"/>',
    '<graph id="joindots" edgedefault="undirected">'];
  for (const n of nodes)
    out.push(`<node id="${esc(n.id)}"><data key="label">${esc(n.label)}</data><data key="kind">${esc(n.kind)}</data>` +
      (n.role ? `<data key="role">${esc(n.role)}</data>` : '') + (n.level ? `<data key="level">${esc(n.level)}</data>` : '') + '</node>');
  links.forEach((l, i) => out.push(`<edge id="e${i}" source="${esc(l.source)}" target="${esc(l.target)}">` +
    `<data key="kinds">${esc([...l.kinds.keys()].join(' '))}</data><data key="first">${esc(l.first)}</data><data key="count">${l.count}</data></edge>`));
  out.push('</graph>', '</graphml>');
  return out.join('\n');
}
