// Words for what the data holds as codes: agencies, alert kinds, rungs,
// record types. Where a code has no entry its underscores become spaces, so
// no page shows a raw code.
const AGENCIES = {
  police: 'Police', csc: "Children's social care", health: 'Health', hospital: 'Hospital',
  ae: 'A&E', gp: 'GP', school: 'School', education: 'Education', sexual_health: 'Sexual health',
  youth: 'Youth service', substance: 'Substance misuse service', care_home: 'Care home',
  call_handling: 'Call handling (101/999)', housing: 'Housing', probation: 'Probation',
  joindots: 'joindots note', health_ae: 'A&E', care_provider: 'Care provider', school_nursing: 'School nursing',
  youth_service: 'Youth service', substance_service: 'Substance misuse service', substance_misuse: 'Substance misuse service', children_social_care: "Children's social care",
};
const KINDS = {
  child_at_risk: 'Child at risk', exploitation_network: 'Exploitation network', unrecorded_crime: 'Crime not recorded',
  missing_pattern: 'Missing from home or care', overdue_return_interview: 'Return interview not held within 72 hours',
  language: 'Victim-blaming wording', escalation: 'Escalation',
};
const RUNGS = {
  practitioner: 'Practitioner', team_manager: 'Team manager', service_manager: 'Service manager',
  head_of_service: 'Head of service', exploitation_meeting: 'Exploitation meeting (MACE)', board: 'Safeguarding board',
};
const words = s => String(s || '').replace(/_/g, ' ');
const cap = s => s ? s[0].toUpperCase() + s.slice(1) : s;

export const agencyName = a => AGENCIES[String(a || '').toLowerCase()] || cap(words(a));
export const kindName = k => KINDS[k] || cap(words(k));
export const rungName = r => RUNGS[r] || cap(words(r));
export const typeName = t => cap(words(t));
// An agency's colour: the same on every page.
const COLOURS = ['#1f6feb', '#b3261e', '#2e7d32', '#8e24aa', '#e0661b', '#00838f', '#6d4c41', '#c2185b', '#546e7a', '#9e9d24'];
const FIXED = { police: '#1f3a93', csc: '#b3261e', health: '#2e7d32', health_ae: '#2e7d32', school: '#8e24aa', gp: '#00838f',
  sexual_health: '#c2185b', call_handling: '#546e7a', care_provider: '#6d4c41', school_nursing: '#9e9d24', youth_service: '#e0661b', joindots: '#59636e' };
export function agencyColour(a) {
  const k = String(a || '').toLowerCase();
  if (FIXED[k]) return FIXED[k];
  let x = 0;
  for (const ch of k) x = (x * 31 + ch.charCodeAt(0)) >>> 0;
  return COLOURS[x % COLOURS.length];
}
// A person as a name: never the internal id when a name is known.
export const personName = (p, fallback = 'a person not named in the records') =>
  (p && (p.name || p.label || p.child_name || p.adult_name)) || fallback;

// Rule output in plain words: dates and times as DD/MM/YYYY HH:MM, no rule
// code in front, no underscores. The codes stay on demand (title attribute).
const pad2 = n => String(n).padStart(2, '0');
function ukFromIso(iso) {
  const t = new Date(iso);
  if (isNaN(t)) return iso;
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(t);
  const g = k => (f.find(p => p.type === k) || {}).value;
  return g('day') + '/' + g('month') + '/' + g('year') + ' ' + pad2(g('hour')) + ':' + pad2(g('minute'));
}
export function plainWords(text) {
  return String(text || '')
    .replace(/^\s*[A-Z]{1,3}(?:-[A-Z]{0,3})?\d+[a-z]?\s*[:\u2013-]\s*/, '')
    .replace(/\b(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?/g, m => ukFromIso(m))
    .replace(/\b(\d{4})-(\d{2})-(\d{2})\b/g, (m, y, mo, d) => d + '/' + mo + '/' + y)
    .replace(/\b([a-z]+(?:_[a-z]+)+)\b/g, m => m.replace(/_/g, ' '));
}
