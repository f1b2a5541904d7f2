// Modal dialogs: a form with fields and a submit that posts; errors from the
// server are shown in it. A closed dialog (saved, cancelled, Escape) is
// removed from the page, so its field ids never linger or repeat.
import { h, clear } from '../dom.js';
import { ApiError } from '../api.js';

export function closeAllDialogs() {
  for (const d of document.querySelectorAll('dialog')) { if (d.open) d.close(); d.remove(); }
}

export function formDialog(id, title, fields, submitLabel, onSubmit, after) {
  closeAllDialogs();
  const err = h('div', { id: id + '-error', 'aria-live': 'assertive' });
  const close = () => { if (dlg.open) dlg.close(); dlg.remove(); };
  const dlg = h('dialog', { id: id + '-dialog', 'aria-labelledby': id + '-h' }, h('form', { method: 'dialog', onsubmit: async (ev) => {
    ev.preventDefault();
    clear(err);
    try { await onSubmit(); close(); if (after) after(); }
    catch (e) { err.append(h('p', { class: 'error', role: 'alert' }, e instanceof ApiError ? e.message : 'Something went wrong: ' + e.message)); }
  } }, h('h2', { id: id + '-h' }, title), fields, err,
  h('div', { class: 'row' }, h('button', { type: 'submit', id: id + '-save' }, submitLabel),
    h('button', { type: 'button', class: 'secondary', id: id + '-cancel', onclick: close }, 'Cancel'))));
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  return dlg;
}
