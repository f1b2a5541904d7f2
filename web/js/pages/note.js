// Write a note with the language check (web-child attaches notes to a child).
import { h } from '../dom.js';
import { noteBox } from '../components/notebox.js';

export default async function render(ctx) {
  const nb = noteBox('note', 'Your note');
  ctx.page('Write a note', h('div', { class: 'card' }, h('p', {}, 'Wording that blames a child is marked while you write, ' +
    'with what to write instead (describe what adults did; never imply choice).'), nb.el));
  nb.ta.focus();
}
