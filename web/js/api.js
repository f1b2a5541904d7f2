// The JSON API client: the session is an HttpOnly cookie; state changes
// carry the CSRF token the server gave at login.
let csrf = '';
export function setCsrf(t) { csrf = t || ''; }

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || ('HTTP ' + status));
    this.status = status;
    this.code = body && body.error;
  }
}

async function call(method, path, body) {
  const opt = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET') {
    opt.headers['Content-Type'] = 'application/json';
    if (csrf) opt.headers['X-CSRF-Token'] = csrf;
    opt.body = JSON.stringify(body || {});
  }
  const r = await fetch(path, opt);
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}

export const get = (path, params) => {
  const q = params ? '?' + new URLSearchParams(params).toString() : '';
  return call('GET', path + q);
};
export const post = (path, body) => call('POST', path, body);
