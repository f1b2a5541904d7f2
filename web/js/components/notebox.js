// A text box with the language check: wording that blames a child is marked
// while the note is written, with what to write instead.
import { h, clear, marked } from '../dom.js';
import { post, ApiError } from '../api.js';

export function noteBox(id, labelText) {
  const ta = h('textarea', { id, name: id, 'aria-describedby': id + '-check' });
  const out = h('div', { id: id + '-check', 'aria-live': 'polite' });
  let timer = null;
  const state = { flagged: [] };
  ta.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      clear(out);
      state.flagged = [];
      if (!ta.value.trim()) return;
      try {
        const r = await post('/api/language-check', { text: ta.value });
        state.flagged = r.language;
        if (!r.language.length) { out.append(h('p', { class: 'muted' }, 'No wording to change.')); return; }
        out.append(h('p', { class: 'lang-preview' }, marked(ta.value, r.language.map(f =>
          ({ offset: f.offset, length: f.length, cls: 'lang', title: f.name })))),
        h('ul', { class: 'lang-advice' }, r.language.map(f => h('li', {},
          h('strong', {}, f.why || f.name), ': ', f.advice ? 'write instead ' + f.advice : f.name))));
      } catch (e) {
        out.append(h('p', { class: 'error' }, e instanceof ApiError ? e.message : e.message));
      }
    }, 300);
  });
  return { el: h('div', {}, h('label', { for: id }, labelText), ta, out), ta, state };
}
