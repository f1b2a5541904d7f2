// "Write a note" about a child, saved and attached to her (shown in her
// chronology as a joindots note), with the language check while it is
// written; wording that blames the child asks for a second look before
// it is saved. secondLook() is shared with the acknowledgement of alerts.
import { h, clear, marked } from '../dom.js';
import { post, ApiError } from '../api.js';

// A textarea with the language check as you type.
export function checkedText(id, labelText, max) {
  const ta = h('textarea', { id, name: id, maxlength: max || 4000, 'aria-describedby': id + '-check' });
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
      } catch (e) { /* the check is advice; saving checks again */ }
    }, 300);
  });
  return { el: h('div', {}, h('label', { for: id }, labelText), ta, out), ta };
}

// Send body to path; when the server asks for a second look (409
// wording_flagged) show the wording in `box` and a checkbox to save it as
// written, and resolve only once saved. Other errors are thrown.
export async function secondLook(path, body, box, idPrefix) {
  try { return await post(path, body); } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'wording_flagged') throw e;
    clear(box);
    const cb = h('input', { type: 'checkbox', id: idPrefix + '-confirm' });
    box.append(h('div', { class: 'second-look', role: 'alert' },
      h('p', {}, h('strong', {}, 'Look again before saving. '), e.message),
      h('ul', {}, (e.body && e.body.language || []).map(f => h('li', {}, '“' + f.why + '”',
        f.advice ? ': write instead ' + f.advice : ''))),
      h('label', { class: 'inline', for: idPrefix + '-confirm' }, cb, ' I have looked again; save it as written')));
    const err = new Error('Change the wording, or tick the box to save it as written.');
    err.secondLook = cb;
    throw err;
  }
}

export function noteDialog({ ctx, id, name, onSaved }) {
  for (const old of document.querySelectorAll('dialog#note-dialog')) old.remove();
  const nb = checkedText('child-note', 'Your note about ' + (name || 'this person'));
  const box = h('div', { id: 'note-second-look' });
  const err = h('div', { id: 'note-error', 'aria-live': 'assertive' });
  let confirm = null;
  const close = () => { dlg.close(); dlg.remove(); };
  const dlg = h('dialog', { id: 'note-dialog', 'aria-labelledby': 'note-h' }, h('form', { method: 'dialog', onsubmit: async ev => {
    ev.preventDefault();
    clear(err);
    const body = { text: nb.ta.value };
    if (confirm && confirm.checked) body.confirmed = true;
    try {
      await secondLook('/api/persons/' + encodeURIComponent(id) + '/notes', body, box, 'note');
      close();
      ctx.say('Note saved to ' + (name || 'the record'));
      if (onSaved) onSaved();
    } catch (e) {
      if (e.secondLook) { confirm = e.secondLook; return; }
      err.append(h('p', { class: 'error', role: 'alert' }, e.message));
    }
  } }, h('h2', { id: 'note-h' }, 'Write a note'),
  h('p', { class: 'muted' }, 'The note is kept in the chronology as a joindots note, with your name and the time. ' +
    'Describe what adults did; never imply the child chose it.'),
  nb.el, box, err,
  h('div', { class: 'row' }, h('button', { type: 'submit', id: 'note-save' }, 'Save the note'),
    h('button', { type: 'button', class: 'secondary', onclick: close }, 'Cancel'))));
  document.body.append(dlg);
  dlg.addEventListener('close', () => dlg.remove());
  dlg.showModal();
  nb.ta.focus();
}
