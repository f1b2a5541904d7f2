// The JSON API client: the session is an HttpOnly cookie; state changes
// carry the CSRF token the server gave at login.
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

async function call(method, path, body, options) {
  const opt = { method, headers: {}, credentials: 'same-origin' };
  if (options && options.signal) opt.signal = options.signal;
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

// get(path, query, {signal}) and post(path, body, {signal}): the options
// argument is optional; an aborted signal rejects with an AbortError.
export const get = (path, params, options) => {
  const q = params ? '?' + new URLSearchParams(params).toString() : '';
  return call('GET', path + q, undefined, options);
};
export const post = (path, body, options) => call('POST', path, body, options);
