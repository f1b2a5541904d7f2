// The child's risk level over time: spans her first to her last event (not
// to today), the level changes marked with their reasons, and zoom (drag
// across the chart, or the buttons; keyboard too). Drawn as SVG with
// attributes only (no inline styles: the CSP keeps style-src strict).
import { h, s, clear } from '../dom.js';
import { ukDate } from '../format.js';

const LEVELS = ['none', 'low', 'medium', 'high', 'critical'];
const W = 800, H = 200, L = 64, R = 16, T = 12, B = 28;

const ms = iso => Date.parse(iso);

export function riskChart(sum) {
  const changes = (sum.level_changes || []).map(c => ({ ...c, t: ms(c.at), l: LEVELS.indexOf(c.level) }));
  const first = sum.first_event_at ? ms(sum.first_event_at) : (changes[0] ? changes[0].t : Date.now());
  const last = sum.last_event_at ? ms(sum.last_event_at) : first + 86400e3;
  const span0 = [first - 86400e3 * 15, Math.max(last, first + 86400e3 * 30) + 86400e3 * 15];
  let view = span0.slice();
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', id: 'risk-chart',
    'aria-label': 'Risk level over time, from ' + ukDate(sum.first_event_at) + ' to ' + ukDate(sum.last_event_at) });
  const range = h('span', { class: 'muted', id: 'chart-range' });
  const list = h('ol', { class: 'changes', id: 'level-changes' }, changes.map(c =>
    h('li', {}, h('span', { class: 'level ' + c.level }, c.level), ' ',
      h('strong', {}, ukDate(c.at) + (c.age !== null && c.age !== undefined ? ' (aged ' + c.age + ')' : '')), ': ', c.reason,
      h('span', { class: 'codes' }, ' [' + c.codes + ']'))));

  function draw() {
    clear(svg);
    const [t0, t1] = view;
    const X = t => L + (t - t0) / (t1 - t0) * (W - L - R);
    const Y = l => H - B - l * ((H - B - T) / 4);
    for (let l = 0; l <= 4; l++) {
      svg.append(s('line', { x1: L, x2: W - R, y1: Y(l), y2: Y(l), class: 'grid' }),
        s('text', { x: 4, y: Y(l) + 4, class: 'axis' }, LEVELS[l]));
    }
    // year ticks, or months when zoomed in under two years
    const d0 = new Date(t0), d1 = new Date(t1);
    const years = d1.getUTCFullYear() - d0.getUTCFullYear();
    if (years >= 2) {
      const every = Math.max(1, Math.ceil(years / 10));
      for (let y = d0.getUTCFullYear() + 1; y <= d1.getUTCFullYear(); y += every) {
        const x = X(Date.UTC(y, 0, 1));
        svg.append(s('line', { x1: x, x2: x, y1: H - B, y2: H - B + 4, class: 'tick' }),
          s('text', { x: x - 14, y: H - 8, class: 'axis' }, String(y)));
      }
    } else {
      for (let m = Date.UTC(d0.getUTCFullYear(), d0.getUTCMonth() + 1, 1); m < t1;) {
        const d = new Date(m), x = X(m);
        svg.append(s('text', { x: x - 14, y: H - 8, class: 'axis' }, String(d.getUTCMonth() + 1).padStart(2, '0') + '/' + String(d.getUTCFullYear()).slice(2)));
        m = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + (years >= 1 ? 3 : 1), 1);
      }
    }
    let d = 'M' + X(t0) + ' ' + Y(0), cur = 0;
    for (const c of changes) {
      const x = Math.min(Math.max(X(c.t), L), W - R);
      d += ' H' + x + ' V' + Y(Math.max(cur, c.l));
      cur = Math.max(cur, c.l);
    }
    d += ' H' + (W - R);
    svg.append(s('path', { d, class: 'risk-line' }));
    for (const c of changes) {
      if (c.t < t0 || c.t > t1) continue;
      const g = s('g', { class: 'change', tabindex: 0, role: 'img',
        'aria-label': c.level + ' from ' + ukDate(c.at) + ': ' + c.reason });
      g.append(s('line', { x1: X(c.t), x2: X(c.t), y1: T, y2: H - B, class: 'change-line' }),
        s('circle', { cx: X(c.t), cy: Y(c.l), r: 6, class: 'change-dot ' + c.level }),
        s('title', {}, c.level + ' from ' + ukDate(c.at) + ': ' + c.reason));
      svg.append(g);
    }
    range.textContent = 'Showing ' + ukDate(new Date(t0).toISOString()) + ' to ' + ukDate(new Date(t1).toISOString());
  }

  // drag to zoom
  let dragFrom = null;
  const band = () => svg.querySelector('rect.brush');
  const toT = ev => {
    const box = svg.getBoundingClientRect();
    const x = (ev.clientX - box.left) / box.width * W;
    return view[0] + (Math.min(Math.max(x, L), W - R) - L) / (W - L - R) * (view[1] - view[0]);
  };
  svg.addEventListener('pointerdown', ev => { dragFrom = { t: toT(ev), x: ev.clientX }; });
  svg.addEventListener('pointermove', ev => {
    if (!dragFrom) return;
    const box = svg.getBoundingClientRect();
    const a = (Math.min(dragFrom.x, ev.clientX) - box.left) / box.width * W;
    const b = (Math.max(dragFrom.x, ev.clientX) - box.left) / box.width * W;
    let r = band();
    if (!r) { r = s('rect', { class: 'brush', y: T, height: H - B - T }); svg.append(r); }
    r.setAttribute('x', a); r.setAttribute('width', Math.max(1, b - a));
  });
  svg.addEventListener('pointerup', ev => {
    if (!dragFrom) return;
    const t = toT(ev), from = dragFrom.t;
    dragFrom = null;
    if (Math.abs(t - from) > 86400e3 * 7) { view = [Math.min(t, from), Math.max(t, from)]; }
    draw();
  });
  const zoom = f => {
    const mid = (view[0] + view[1]) / 2, half = (view[1] - view[0]) / 2 * f;
    view = [Math.max(span0[0], mid - half), Math.min(span0[1], mid + half)];
    if (view[1] - view[0] < 86400e3 * 14) view = [mid - 86400e3 * 7, mid + 86400e3 * 7];
    draw();
  };
  const shift = f => {
    const w = view[1] - view[0];
    let a = view[0] + w * f;
    a = Math.max(span0[0], Math.min(a, span0[1] - w));
    view = [a, a + w];
    draw();
  };
  const tools = h('div', { class: 'row chart-tools no-print' },
    h('button', { type: 'button', class: 'secondary small', id: 'zoom-in', onclick: () => zoom(0.5) }, 'Zoom in'),
    h('button', { type: 'button', class: 'secondary small', id: 'zoom-out', onclick: () => zoom(2) }, 'Zoom out'),
    h('button', { type: 'button', class: 'secondary small', onclick: () => shift(-0.5), 'aria-label': 'Earlier' }, '◀'),
    h('button', { type: 'button', class: 'secondary small', onclick: () => shift(0.5), 'aria-label': 'Later' }, '▶'),
    h('button', { type: 'button', class: 'secondary small', id: 'zoom-reset', onclick: () => { view = span0.slice(); draw(); } }, 'Whole span'),
    range);
  draw();
  return h('div', {}, svg, tools, changes.length ? h('h3', {}, 'Level changes and why') : '',
    changes.length ? list : h('p', {}, 'No risk level has been raised.'));
}
