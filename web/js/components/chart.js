// Small shared drawings.
import { h, s } from '../dom.js';

export function dot(colour) {
  return s('svg', { width: 10, height: 10, viewBox: '0 0 10 10', 'aria-hidden': 'true', class: 'dot' },
    s('circle', { cx: 5, cy: 5, r: 5, fill: colour }));
}

export function legend(items) {
  return h('p', { class: 'legend' }, items.map(([c, l]) => h('span', {}, dot(c), ' ', l)));
}
