// Profiles of an adult, a vehicle, a phone or a place, drawn from what the
// API sends: the networks, the children linked and when (and through what),
// the people and things seen with it, and every record with its text.
// Victims who have since turned 18 stay with the children and young people,
// never among the suspects.
import { h, clear, level } from '../dom.js';
import { get } from '../api.js';
import { ukDate, ukDateTime } from '../format.js';
import { agencyName, typeName } from '../components/names.js';
import { askReason } from '../components/reason.js';

const ADULT_ROLES = new Set(['suspect', 'associate', 'offender', 'perpetrator', 'alleged_perpetrator', 'witness_adult', 'adult']);
const PAGE = 25;

function subjectWords(p) {
  const sj = p.subject || {};
  if (sj.kind === 'person') return sj.name || 'a person not named in the records';
  if (sj.kind === 'vehicle') return 'Vehicle ' + sj.id;
  if (sj.kind === 'phone') return 'Phone ' + sj.id;
  return 'Place: ' + sj.id;
}
const via = v => !v ? 'seen together' : v.kind === 'vehicle' ? 'in vehicle ' + v.value : v.kind === 'phone' ? 'by phone ' + v.value :
  v.kind === 'place' || v.kind === 'address' ? 'at ' + v.value : String(v.kind).replace(/_/g, ' ') + ' ' + (v.value || '');
// A network's id names no one (issue 17): it is named after `around`.
const networkName = (n, names) =>
  names.get(n.around) ? 'Network around ' + names.get(n.around) : 'An exploitation network';

export default async function render(ctx) {
  const subject = ctx.params.get('subject');
  const sub = h('input', { type: 'text', id: 'subject', value: subject || '', placeholder: 'vehicle:AR60VHA, phone:07700…, place:Cowley Road, or a person' });
  const named = { name: null };
  const form = h('form', { class: 'card', onsubmit: (ev) => {
    ev.preventDefault();
    ctx.navigate('#/profile?' + new URLSearchParams({ subject: named.name && sub.value === named.name ? subject : sub.value }));
  } }, h('label', { for: 'subject' }, 'Adult, vehicle, phone or place'), h('div', { class: 'row' }, sub, h('button', { type: 'submit' }, 'Show')));
  if (!subject) { ctx.page('Profiles', form); return; }
  const reason = sessionStorage.getItem('reason:' + subject);
  if (!reason) return askReason(ctx, 'the profile of ' + subject.replace(/^(place|vehicle|phone):/, '$1 '), r => { sessionStorage.setItem('reason:' + subject, r); render(ctx); });
  ctx.page('Profile', h('p', {}, 'Loading…'));
  let p;
  try { p = await get('/api/profile', { subject, reason }, { signal: ctx.signal }); }
  catch (e) { ctx.page('Profile', form); return ctx.showError(e); }
  if (ctx.signal.aborted) return;
  // Names by person id, from everything the profile holds.
  const names = new Map();
  for (const r of p.records || []) for (const x of r.people || []) if (x.person_id && x.name) names.set(x.person_id, x.name);
  for (const l of p.links || []) { if (l.adult_name) names.set(l.adult, l.adult_name); if (l.child_name) names.set(l.child, l.child_name); }
  for (const x of [...(p.adults || []), ...(p.children || [])]) if (x.name) names.set(x.person_id, x.name);
  if (p.subject && p.subject.kind === 'person' && p.subject.name) names.set(p.subject.id, p.subject.name);
  const personLink = (pid, name, child) => pid && !String(pid).startsWith('U:') ?
    h('a', { href: child ? '#/person/' + encodeURIComponent(pid) : '#/profile?' + new URLSearchParams({ subject: pid }) }, name || names.get(pid) || 'a person not named') :
    (name || 'a person not identified');

  const sections = [];
  const isPerson = p.subject && p.subject.kind === 'person';
  // The box shows whom the profile is of, by name, not by id.
  if (isPerson && p.subject.name) sub.value = named.name = p.subject.name;
  // Networks.
  sections.push(h('section', { class: 'card', id: 'networks' }, h('h2', {}, 'Exploitation networks (' + (p.networks || []).length + ')'),
    (p.networks || []).length ? h('ul', {}, p.networks.map(n => h('li', {}, level(n.level), ' ', networkName(n, names),
      ', since ' + ukDate(n.raised_at), n.role_in_network ? ' · ' + n.role_in_network + ' member since ' + ukDate(n.member_since) : ''))) :
      h('p', { class: 'muted' }, 'Not part of a network found so far.')));
  // Children linked and when.
  const links = (p.links || []).slice().sort((a, b) => String(a.linked_at).localeCompare(String(b.linked_at)));
  sections.push(h('section', { class: 'card', id: 'children-linked' }, h('h2', {}, 'Children linked, and when (' + links.length + ')'),
    links.length ? h('table', { class: 'stack' }, h('thead', {}, h('tr', {}, ['Child', 'Age then', 'Linked', 'Through', isPerson ? null : 'With', 'Child\'s level now'].filter(Boolean).map(x => h('th', {}, x)))),
      h('tbody', {}, links.map(l => h('tr', {}, h('td', { 'data-label': 'Child' }, personLink(l.child, l.child_name, true)),
        h('td', { 'data-label': 'Age then' }, l.child_age ?? ''), h('td', { 'data-label': 'Linked' }, ukDate(l.linked_at)),
        h('td', { 'data-label': 'Through' }, via(l.via)), isPerson ? '' : h('td', { 'data-label': 'With' }, personLink(l.adult, l.adult_name, false)),
        h('td', { 'data-label': 'Level' }, l.child_risk && l.child_risk.level ? level(l.child_risk.level) : ''))))) :
      h('p', { class: 'muted' }, 'No child linked.')));
  // People and things seen with it (vehicles, phones, places, people), from the records.
  const things = new Map(), people = new Map();
  for (const r of p.records || []) {
    for (const o of r.objects || []) {
      const k = o.object_type + ':' + o.value;
      const t = things.get(k) || { ...o, n: 0, first: r.occurred_at };
      t.n++; things.set(k, t);
    }
    if (r.location) { const k = 'place:' + r.location; const t = things.get(k) || { object_type: 'place', value: r.location, n: 0, first: r.occurred_at }; t.n++; things.set(k, t); }
    for (const x of r.people || []) {
      if (p.subject && x.person_id === p.subject.id) continue;
      const q = people.get(x.person_id || x.name) || { ...x, n: 0, first: r.occurred_at, roles: new Set(), minAge: 200 };
      q.n++; q.roles.add(x.role); if (x.age !== undefined && x.age < q.minAge) q.minAge = x.age;
      people.set(x.person_id || x.name, q);
    }
  }
  // Adults versus children and young people: by their role and age in the
  // records, not by their age today.
  const isAdultRow = x => ADULT_ROLES.has(x.role) || (x.roles && [...x.roles].every(r => ADULT_ROLES.has(r)) && x.minAge >= 18);
  const kids = [...(p.children || []), ...(p.adults || []).filter(x => !ADULT_ROLES.has(x.role))];
  const adults = (p.adults || []).filter(x => ADULT_ROLES.has(x.role));
  if (p.children || p.adults) {
    sections.push(h('section', { class: 'card', id: 'young-people' }, h('h2', {}, 'Children and young people (' + kids.length + ')'),
      h('p', { class: 'muted' }, 'Everyone seen here as a child or a victim, including those who have since turned 18.'),
      h('ul', {}, kids.map(x => h('li', {}, personLink(x.person_id, x.name, true), ' · first seen ' + ukDate(x.first_seen),
        x.risk && x.risk.level ? [' · ', level(x.risk.level)] : '')))));
    sections.push(h('section', { class: 'card', id: 'adults' }, h('h2', {}, 'Adults: suspects and associates (' + adults.length + ')'),
      h('ul', {}, adults.map(x => h('li', {}, personLink(x.person_id, x.name, false), ' · ' + x.role + ' · first seen ' + ukDate(x.first_seen))))));
  } else {
    const ppl = [...people.values()].sort((a, b) => b.n - a.n);
    sections.push(h('section', { class: 'card', id: 'people' }, h('h2', {}, 'People in the same records (' + ppl.length + ')'),
      h('ul', {}, ppl.slice(0, 50).map(x => h('li', {}, personLink(x.person_id, x.name, !isAdultRow(x) && x.minAge < 18),
        ' · ' + [...x.roles].join(', ') + ' · ' + x.n + ' records, first ' + ukDate(x.first))))));
  }
  const tl = [...things.values()].sort((a, b) => b.n - a.n);
  sections.push(h('section', { class: 'card', id: 'things' }, h('h2', {}, 'Vehicles, phones and places (' + tl.length + ')'),
    h('ul', {}, tl.slice(0, 50).map(t => h('li', {}, h('a', { href: '#/profile?' + new URLSearchParams({ subject: (t.object_type === 'place' ? 'place:' : t.object_type + ':') + t.value }) },
      typeName(t.object_type) + ' ' + t.value), t.description ? ' (' + t.description + ')' : '', ' · ' + t.n + ' records, first ' + ukDate(t.first))))));
  // Records with their text, 25 at a time.
  const recs = p.records || [];
  const ol = h('ol', { class: 'records', id: 'records' });
  const more = h('button', { type: 'button', class: 'secondary', id: 'more-records' }, 'More records');
  let shown = 0;
  function moreRecords() {
    for (const r of recs.slice(shown, shown + PAGE)) ol.append(h('li', {},
      h('div', {}, h('span', { class: 'when' }, ukDateTime(r.occurred_at)), ' ', h('span', { class: 'tag' }, agencyName(r.agency)), ' ',
        h('span', { class: 'tag' }, typeName(r.event_type)), r.location ? ' · ' + r.location : '', r.postcode ? ' · ' + r.postcode : ''),
      r.narrative ? h('p', { class: 'narrative' }, r.narrative) : h('p', { class: 'muted' }, 'No text recorded.'),
      (r.people || []).length ? h('p', { class: 'muted' }, 'People: ' + r.people.map(x => (x.name || 'not named') + ' (' + x.role + (x.age !== undefined ? ', ' + x.age : '') + ')').join('; ')) : '',
      (r.objects || []).length ? h('p', { class: 'muted' }, 'Seen: ' + r.objects.map(o => o.object_type + ' ' + o.value + (o.description ? ' (' + o.description + ')' : '')).join('; ')) : '',
      h('p', { class: 'muted small' }, 'Source: ' + agencyName(r.agency) + ' record ' + r.record_id)));
    shown += PAGE;
    more.hidden = shown >= recs.length;
  }
  more.addEventListener('click', moreRecords);
  sections.push(h('section', { class: 'card' }, h('h2', {}, 'Records (' + (p.record_count ?? recs.length) + ')'), ol, more));
  ctx.page(subjectWords(p), form, p.subject && p.subject.risk && p.subject.risk.level ? h('p', {}, 'Level: ', level(p.subject.risk.level)) : '', ...sections);
  moreRecords();
}
