// Hotspots on a plain SVG map of postcode districts: where the events of
// children at high or critical risk took place (counts only). No tiles, no
// external requests: districts are placed by their approximate centres.
import { h, s, clear } from '../dom.js';
import { get } from '../api.js';

// Approximate centres (longitude, latitude) of Oxfordshire's postcode
// districts, to place the circles; districts not listed go in the margin.
const CENTRES = {
  OX1: [-1.258, 51.750], OX2: [-1.285, 51.765], OX3: [-1.205, 51.760], OX4: [-1.210, 51.733], OX5: [-1.290, 51.825],
  OX7: [-1.545, 51.940], OX9: [-0.975, 51.745], OX10: [-1.125, 51.600], OX11: [-1.240, 51.608], OX12: [-1.425, 51.588],
  OX13: [-1.370, 51.690], OX14: [-1.285, 51.670], OX15: [-1.440, 52.030], OX16: [-1.340, 52.062], OX17: [-1.270, 52.075],
  OX18: [-1.600, 51.760], OX20: [-1.350, 51.850], OX25: [-1.220, 51.880], OX26: [-1.150, 51.900], OX27: [-1.160, 51.940],
  OX28: [-1.490, 51.785], OX29: [-1.400, 51.780], OX33: [-1.135, 51.745], OX39: [-0.910, 51.700], OX44: [-1.080, 51.665],
  OX49: [-1.000, 51.640],
};
const W = 900, H = 620, LON = [-1.70, -0.85], LAT = [51.55, 52.12];
const X = lon => 40 + (lon - LON[0]) / (LON[1] - LON[0]) * (W - 260);
const Y = lat => 20 + (LAT[1] - lat) / (LAT[1] - LAT[0]) * (H - 40);

export default async function render(ctx) {
  ctx.page('Hotspots map');
  let m;
  try { m = await get('/api/hotspots/map', null, { signal: ctx.signal }); } catch (e) { return ctx.showError(e); }
  if (ctx.signal.aborted) return;
  const svg = s('svg', { id: 'hotspot-map', class: 'map', viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': 'Postcode districts where children at high or critical risk were seen' });
  const detail = h('div', { class: 'card', id: 'district-info', 'aria-live': 'polite' }, 'Select a district for its postcodes.');
  svg.append(s('rect', { x: 1, y: 1, width: W - 242, height: H - 2, fill: '#f6f8fa', stroke: '#d0d7de', rx: 8 }),
    s('text', { x: 12, y: H - 12, 'font-size': 11, fill: '#59636e' }, 'Oxfordshire postcode districts, placed by their approximate centres'));
  for (const [d, [lon, lat]] of Object.entries(CENTRES))
    svg.append(s('circle', { cx: X(lon), cy: Y(lat), r: 2, fill: '#9aa5b1' }), s('text', { x: X(lon) + 4, y: Y(lat) + 3, 'font-size': 9, fill: '#9aa5b1' }, d));
  const max = Math.max(1, ...m.districts.map(d => d.children));
  let other = 0;
  const sorted = m.districts.slice().sort((a, b) => b.children - a.children);
  for (const d of sorted) {
    const c = CENTRES[d.district];
    const cx = c ? X(c[0]) : W - 200, cy = c ? Y(c[1]) : 40 + 40 * other++;
    const r = 8 + 30 * Math.sqrt(d.children / max);
    const g = s('g', { class: 'district', tabindex: 0, role: 'button', 'data-district': d.district,
      'aria-label': d.district + ': ' + d.children + ' children, ' + d.events + ' events' },
    s('circle', { cx, cy, r, fill: '#b3261e', 'fill-opacity': 0.55, stroke: '#7f1d1d' }),
    s('text', { x: cx, y: cy + 4, 'font-size': 12, 'font-weight': 'bold', fill: '#1b1f24', 'text-anchor': 'middle', stroke: '#fff', 'stroke-width': 3, 'paint-order': 'stroke' },
      d.district + ' · ' + d.children));
    const show = () => clear(detail).append(h('h2', {}, d.district + ': ' + d.children + ' children, ' + d.events + ' events'),
      h('table', {}, h('thead', {}, h('tr', {}, ['Postcode', 'Children', 'Events'].map(x => h('th', {}, x)))),
        h('tbody', {}, d.postcodes.sort((a, b) => b.children - a.children).slice(0, 30).map(p => h('tr', {}, h('td', {}, p.postcode), h('td', {}, p.children), h('td', {}, p.events))))));
    g.addEventListener('click', show);
    g.addEventListener('keydown', ev => { if (ev.key === 'Enter') show(); });
    svg.append(g);
  }
  if (other) svg.append(s('text', { x: W - 220, y: 20, 'font-size': 11, fill: '#59636e' }, 'Outside the districts drawn'));
  ctx.main.append(h('p', { class: 'muted' }, m.children_at_risk + ' children at high or critical risk; circles grow with the number of them seen in a district. Counts only.'),
    h('div', { class: 'graph-box' }, svg), detail,
    h('details', { class: 'card' }, h('summary', {}, 'The districts as a table'), h('table', { id: 'district-table' },
      h('thead', {}, h('tr', {}, ['District', 'Children', 'Events'].map(x => h('th', {}, x)))),
      h('tbody', {}, sorted.map(d => h('tr', {}, h('td', {}, d.district), h('td', {}, d.children), h('td', {}, d.events)))))));
}
