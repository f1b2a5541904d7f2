// UK dates for everything shown (DD/MM/YYYY, times HH:MM), read from the
// server's ISO 8601 strings as written (UK local time with its offset), so
// the browser's own time zone never moves a date.
const pad = n => String(n).padStart(2, '0');

function parts(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(iso || '');
  return m ? { y: +m[1], mo: +m[2], d: +m[3], hh: m[4], mm: m[5] } : null;
}

// '2006-11-07T10:34:00+00:00' -> '07/11/2006'; '' when not a date.
export function ukDate(iso) {
  const p = parts(iso);
  return p ? pad(p.d) + '/' + pad(p.mo) + '/' + p.y : '';
}

// '2006-11-07T10:34:00+00:00' -> '07/11/2006 10:34' (the date alone when no time).
export function ukDateTime(iso) {
  const p = parts(iso);
  if (!p) return '';
  return ukDate(iso) + (p.hh !== undefined ? ' ' + p.hh + ':' + p.mm : '');
}

// Whole years from a date of birth to a date (both ISO); null when unknown.
// With no second date, the age today.
export function ageAt(dob, iso) {
  const b = parts(dob);
  let t = parts(iso);
  if (!t) {
    const n = new Date();
    t = { y: n.getFullYear(), mo: n.getMonth() + 1, d: n.getDate() };
  }
  if (!b) return null;
  const age = t.y - b.y - ((t.mo < b.mo || (t.mo === b.mo && t.d < b.d)) ? 1 : 0);
  return age >= 0 ? age : null;
}
