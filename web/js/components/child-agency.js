// Agency colours and names on the child's page (one colour per agency,
// the same in the agency list, the chronology and the print).
const COLOURS = {
  police: '#1f4e9c', csc: '#7b3fa0', care_provider: '#b3541e', school: '#2e7d32',
  school_nursing: '#00838f', health_ae: '#c62828', gp: '#6d4c41', sexual_health: '#ad1457',
  call_handling: '#455a64', youth_service: '#9e7c00', housing: '#5d4037', substance: '#37474f',
  substance_service: '#37474f', yot: '#283593', joindots: '#0b5cad',
};
const FALLBACK = ['#00695c', '#4527a0', '#8d6e63', '#546e7a'];

export function agencyColour(code) {
  if (COLOURS[code]) return COLOURS[code];
  let h = 0;
  for (const ch of code || '') h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return FALLBACK[h % FALLBACK.length];
}

// Words for an agency code when the server sent none.
export function agencyName(code) {
  const s = String(code || '').replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}
