// Paging for a list paged on the server: "1-50 of 312", previous, next.
import { h } from '../dom.js';

export function pager(total, offset, limit, go, id = 'pager') {
  const from = total ? offset + 1 : 0, to = Math.min(total, offset + limit);
  return h('nav', { class: 'pager row', id, 'aria-label': 'Pages' },
    h('span', { class: 'muted' }, total ? `${from}–${to} of ${total}` : 'none'),
    h('button', { type: 'button', class: 'secondary prev', disabled: offset <= 0,
      onclick: () => go(Math.max(0, offset - limit)) }, 'Previous'),
    h('button', { type: 'button', class: 'secondary next', disabled: to >= total,
      onclick: () => go(offset + limit) }, 'Next'));
}
