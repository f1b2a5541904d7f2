// The chronology as a PDF for a strategy meeting or court: the filters now
// on the page, the reason (recorded in the audit log with the export), and
// the third parties to redact, chosen by the user. The server makes the PDF
// (libharu) and audits it before it is sent.
import { h, clear } from '../dom.js';
import { ApiError } from '../api.js';

export function exportDialog({ ctx, id, reason, name, query, words, third }) {
  for (const old of document.querySelectorAll('dialog#export-dialog')) old.remove();
  const why = h('input', { type: 'text', id: 'export-reason', value: reason || '', minlength: 3, maxlength: 300, required: true });
  const all = h('input', { type: 'checkbox', id: 'redact-all' });
  const boxes = (third || []).slice().sort((a, b) => a.localeCompare(b)).map((n, i) => h('label', { class: 'inline' },
    h('input', { type: 'checkbox', value: n, id: 'redact-' + i, class: 'redact-one' }), ' ' + n));
  const err = h('div', { id: 'export-error', 'aria-live': 'assertive' });
  const close = () => { dlg.close(); dlg.remove(); };
  const dlg = h('dialog', { id: 'export-dialog', 'aria-labelledby': 'export-h' }, h('form', { method: 'dialog', onsubmit: async ev => {
    ev.preventDefault();
    clear(err);
    const q = { ...query, reason: why.value };
    delete q.offset; delete q.limit;
    if (all.checked) q.redact_all = '1';
    const chosen = boxes.map(b => b.querySelector('input')).filter(b => b.checked).map(b => b.value);
    if (chosen.length && !all.checked) q.redact = chosen.join('|');
    try {
      const r = await fetch('/api/persons/' + encodeURIComponent(id) + '/chronology/pdf?' + new URLSearchParams(q),
        { credentials: 'same-origin' });
      if (!r.ok) {
        let body = null;
        try { body = await r.json(); } catch (e) { body = null; }
        throw new ApiError(r.status, body);
      }
      const blob = await r.blob();
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: 'chronology-' + (name || 'record').replace(/[^A-Za-z0-9]+/g, '-') + '.pdf' });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      close();
      ctx.say('PDF made; the export is recorded in the audit log');
    } catch (e) { err.append(h('p', { class: 'error', role: 'alert' }, e.message)); }
  } }, h('h2', { id: 'export-h' }, 'The chronology as a PDF'),
  h('p', {}, 'Filters: ' + (words && words.length ? words.join('; ') : 'none, every event') +
    '. The PDF has a cover page (who, when, why, filters), the source of every event (agency and record id) and page numbers.'),
  h('label', { for: 'export-reason' }, 'Why (recorded with the export)'), why,
  h('fieldset', {}, h('legend', {}, 'Redact third parties'),
    h('label', { class: 'inline', for: 'redact-all' }, all, ' every other person named'),
    boxes.length ? h('div', { class: 'redact-list' }, boxes) : h('p', { class: 'muted' }, 'Nobody else is named in the records.')),
  err,
  h('div', { class: 'row' }, h('button', { type: 'submit', id: 'export-go' }, 'Make the PDF'),
    h('button', { type: 'button', class: 'secondary', onclick: close }, 'Cancel'))));
  document.body.append(dlg);
  dlg.addEventListener('close', () => dlg.remove());
  dlg.showModal();
  why.focus();
}
