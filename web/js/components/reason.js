// A reason before a sensitive record: asked once per record per session,
// recorded with the user's name by the server.
import { h } from '../dom.js';

export function askReason(ctx, what, onReason) {
  const r = h('input', { type: 'text', id: 'reason', name: 'reason', minlength: 3, maxlength: 300, required: true });
  const form = h('form', { class: 'card', onsubmit: (ev) => {
    ev.preventDefault();
    onReason(r.value);
  } }, h('p', {}, 'You are opening ' + what + '. Say why you need it: the reason is recorded with your name.'),
  h('label', { for: 'reason' }, 'Reason'), r,
  h('p', {}, h('button', { type: 'submit' }, 'Open the record')));
  ctx.page('Why do you need this record?', form);
  r.focus();
}

export function reasonFor(key) { return sessionStorage.getItem('reason:' + key); }
export function keepReason(key, r) { sessionStorage.setItem('reason:' + key, r); }
export function dropReason(key) { sessionStorage.removeItem('reason:' + key); }
