// The JSON API client: the session is an HttpOnly cookie; state changes
// carry the CSRF token the server gave at login. A 401 from any call but the
// login itself means the session has ended: the user is sent to the login
// page (the router shows why).
let csrf = '';
export function setCsrf(t) { csrf = t || ''; }

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || ('HTTP ' + status));
    this.status = status;
    this.code = body && body.error;
    this.body = body;
  }
}

let onExpired = () => { location.hash = '#/login'; };
// The router sets what happens when the session has ended.
export function setOnExpired(fn) { onExpired = fn; }

async function call(method, path, body, opts = {}) {
  const opt = { method, headers: {}, credentials: 'same-origin', signal: opts.signal };
  if (method !== 'GET') {
    opt.headers['Content-Type'] = 'application/json';
    if (csrf) opt.headers['X-CSRF-Token'] = csrf;
    opt.body = JSON.stringify(body || {});
  }
  const r = await fetch(path, opt);
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (!r.ok) {
    const e = new ApiError(r.status, data);
    if (r.status === 401 && path !== '/api/login' && !opts.quiet) onExpired(e);
    throw e;
  }
  return data;
}

// get(path, query, {signal, quiet}); query is an object or URLSearchParams.
export const get = (path, params, opts) => {
  const clean = {};
  if (params instanceof URLSearchParams) params.forEach((v, k) => { clean[k] = v; });
  else for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') clean[k] = v;
  const qs = new URLSearchParams(clean).toString();
  return call('GET', path + (qs ? '?' + qs : ''), null, opts);
};
export const post = (path, body, opts) => call('POST', path, body, opts);
