// UK dates everywhere shown: DD/MM/YYYY, times HH:MM, in UK local time
// (Europe/London). The same three functions on every page.
const pad = n => String(n).padStart(2, '0');

function parts(iso) {
  if (!iso) return null;
  // A date alone ("2004-09-16") is a calendar day: no time zone shift.
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (m) return { y: m[1], mo: m[2], d: m[3], h: null, mi: null };
  const t = new Date(iso);
  if (isNaN(t)) return null;
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(t);
  const g = k => (f.find(p => p.type === k) || {}).value;
  return { y: g('year'), mo: g('month'), d: g('day'), h: g('hour'), mi: g('minute') };
}

export function ukDate(iso) {
  const p = parts(iso);
  return p ? p.d + '/' + p.mo + '/' + p.y : '';
}

export function ukDateTime(iso) {
  const p = parts(iso);
  if (!p) return '';
  return p.d + '/' + p.mo + '/' + p.y + (p.h !== null ? ' ' + pad(p.h) + ':' + pad(p.mi) : '');
}

// Whole years from a date of birth (YYYY[-MM[-DD]]) to a date; null if unknown.
export function ageAt(dob, iso) {
  if (!dob) return null;
  const b = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(dob);
  const p = parts(iso || new Date().toISOString());
  if (!b || !p) return null;
  const by = +b[1], bm = b[2] ? +b[2] : 7, bd = b[3] ? +b[3] : 1;
  let a = +p.y - by;
  if (+p.mo < bm || (+p.mo === bm && +p.d < bd)) a--;
  return a >= 0 ? a : null;
}
