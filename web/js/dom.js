// DOM helpers. Text from the server only ever goes in through text nodes
// (createTextNode / textContent), never as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const SVGNS = 'http://www.w3.org/2000/svg';
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function level(l) {
  return h('span', { class: 'level ' + (l || '') }, l || 'none');
}

export function when(iso) {
  if (!iso) return '';
  return iso.slice(0, 16).replace('T', ' ');
}

// Text with byte ranges marked: offsets from the server count UTF-8 bytes.
export function marked(text, ranges) {
  const frag = document.createDocumentFragment();
  const bytes = new TextEncoder().encode(text || '');
  const dec = new TextDecoder();
  const rs = (ranges || []).filter(r => r.offset >= 0 && r.length > 0)
    .sort((a, b) => a.offset - b.offset);
  let at = 0;
  for (const r of rs) {
    if (r.offset < at) continue;
    frag.appendChild(document.createTextNode(dec.decode(bytes.slice(at, r.offset))));
    const m = h('mark', { class: r.cls || '', title: r.title || '' },
      dec.decode(bytes.slice(r.offset, r.offset + r.length)));
    frag.appendChild(m);
    at = r.offset + r.length;
  }
  frag.appendChild(document.createTextNode(dec.decode(bytes.slice(at))));
  return frag;
}
