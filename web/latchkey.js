// latchkey.js: the browser client for Latchkey's first-party endpoints
// (docs/latchkey-js.md). An ES module without dependencies.
//
// The access token lives in this object only: never in localStorage,
// sessionStorage or a cookie, where an injected script or another page could
// read it later. A reload starts without it and gets a new one from the
// httpOnly refresh cookie.

/** An error answer from Latchkey: `code` is its stable `error` member. */
export class LatchkeyError extends Error {
  constructor(status, code, description) {
    super(description || code || `HTTP ${status}`);
    this.name = 'LatchkeyError';
    this.status = status;
    this.code = code;
  }
}

/** A client for the Latchkey at `baseURL` (default: this page's origin). */
export function createClient(baseURL = '', options = {}) {
  return new LatchkeyClient(baseURL, options);
}

export class LatchkeyClient extends EventTarget {
  #base;
  #token = null;
  #expiresAt = 0; // epoch ms; tabs share the clock, so it travels as is
  #lifetime = 0;
  #margin;
  #inflight = null;
  #lockName;
  #channel = null;

  constructor(baseURL = '', { refreshMargin } = {}) {
    super();
    this.#base = String(baseURL).replace(/\/+$/, '');
    // Seconds before expiry to refresh ahead (default: see #expiring).
    this.#margin = refreshMargin == null ? null : refreshMargin * 1000;
    const scope = new URL(this.#base || '/', globalThis.location?.href).origin;
    // Named after the Latchkey origin: two services on one page keep
    // separate cookies, so they need separate locks.
    this.#lockName = `latchkey-refresh ${scope}`;
    if (typeof BroadcastChannel === 'function') {
      this.#channel = new BroadcastChannel(`latchkey ${scope}`);
      this.#channel.onmessage = (event) => this.#fromPeer(event.data);
    }
  }

  /** Whether an access token is held (it may still need a refresh). */
  get signedIn() {
    return this.#token !== null;
  }

  /** When the held access token expires (epoch ms), 0 without one. */
  get expiresAt() {
    return this.#token ? this.#expiresAt : 0;
  }

  async register(email, password) {
    return this.#json(await this.#post('/register', { email, password }));
  }

  async login(email, password) {
    const body = await this.#json(await this.#post('/login', { email, password }));
    this.#accept(body, 'login');
    return body;
  }

  /** Ends this session, or with `everywhere` every session of the user. */
  async logout({ everywhere = false } = {}) {
    const headers = this.#token ? { Authorization: `Bearer ${this.#token}` } : {};
    const path = everywhere ? '/logout?scope=global' : '/logout';
    const response = await fetch(this.url(path), { method: 'POST', credentials: 'include', headers });
    // 401: nothing proves who we are any more, so nothing here is signed in;
    // the caller still learns that no other session was ended.
    if (response.status === 401) this.#signOut(true);
    if (response.status !== 204) await this.#json(response);
    this.#signOut(true);
  }

  async me() {
    return this.#json(await this.fetch(this.url('/api/me')));
  }

  async sessions() {
    return (await this.#json(await this.fetch(this.url('/api/sessions')))).sessions;
  }

  async revokeSession(id) {
    const path = `/api/sessions/${encodeURIComponent(id)}`;
    const response = await this.fetch(this.url(path), { method: 'DELETE' });
    if (response.status !== 204) await this.#json(response);
  }

  /**
   * `fetch` with the bearer token. Refreshes first when the token is
   * missing or about to expire, and once more when the answer says the
   * token is no longer valid (revoked, or the clocks disagree).
   */
  async fetch(input, init = {}) {
    // A Request body can be read once: keep a copy for the retry.
    const request = new Request(input, init);
    let token = await this.#freshToken();
    let response = await fetch(withBearer(request.clone(), token));
    if (response.status === 401 && saysInvalidToken(response)) {
      token = await this.refresh(token);
      if (token) response = await fetch(withBearer(request, token));
    }
    return response;
  }

  /** Absolute URL of a Latchkey path. */
  url(path) {
    return this.#base + path;
  }

  /**
   * One refresh at a time: calls in this tab share one promise, and tabs of
   * the origin take turns under a Web Lock, so the rotating cookie is never
   * sent twice at once. A tab that waited usually finds the new token
   * already broadcast by the one before it and does not refresh at all.
   * Resolves to the new token, or null when the session is over.
   */
  refresh(stale = this.#token) {
    if (!this.#inflight) {
      const run = () => this.#refreshUnlessPeerDid(stale);
      const locks = globalThis.navigator?.locks;
      // Without Web Locks (older browsers, insecure contexts) the server's
      // grace window still hands racing tabs the same successor cookie.
      this.#inflight = (locks ? locks.request(this.#lockName, run) : run()).finally(() => {
        this.#inflight = null;
      });
    }
    return this.#inflight;
  }

  async #refreshUnlessPeerDid(stale) {
    if (this.#token !== null && this.#token !== stale && !this.#expiring()) return this.#token;
    const response = await fetch(this.url('/refresh'), { method: 'POST', credentials: 'include' });
    if (response.status === 401) {
      this.#signOut(false);
      return null;
    }
    this.#accept(await this.#json(response), 'refresh');
    return this.#token;
  }

  async #freshToken() {
    if (this.#token !== null && !this.#expiring()) return this.#token;
    return this.refresh(this.#token);
  }

  #expiring() {
    // A fifth of the lifetime, at most 30 s: early enough to beat the
    // deadline, late enough not to refresh on every call with short tokens.
    const margin = this.#margin ?? Math.min(30_000, this.#lifetime / 5);
    return Date.now() >= this.#expiresAt - margin;
  }

  #accept(body, source) {
    this.#token = body.access_token;
    this.#lifetime = body.expires_in * 1000;
    this.#expiresAt = Date.now() + this.#lifetime;
    this.#channel?.postMessage({
      type: 'token', token: this.#token, expiresAt: this.#expiresAt, lifetime: this.#lifetime,
    });
    this.dispatchEvent(new CustomEvent('token', { detail: { source } }));
  }

  #fromPeer(message) {
    if (message?.type === 'token' && message.expiresAt > this.#expiresAt) {
      this.#token = message.token;
      this.#expiresAt = message.expiresAt;
      this.#lifetime = message.lifetime;
      this.dispatchEvent(new CustomEvent('token', { detail: { source: 'peer' } }));
    } else if (message?.type === 'signedout') {
      this.#signOut(false, 'peer');
    }
  }

  #signOut(tellPeers, source = 'self') {
    this.#token = null;
    this.#expiresAt = 0;
    if (tellPeers) this.#channel?.postMessage({ type: 'signedout' });
    this.dispatchEvent(new CustomEvent('signedout', { detail: { source } }));
  }

  #post(path, body) {
    return fetch(this.url(path), {
      method: 'POST',
      credentials: 'include',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async #json(response) {
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new LatchkeyError(response.status, body?.error, body?.error_description);
    return body;
  }
}

function withBearer(request, token) {
  if (!token) return request;
  const headers = new Headers(request.headers);
  headers.set('Authorization', `Bearer ${token}`);
  return new Request(request, { headers });
}

// RFC 6750 §3.1: only this error means "get a new token"; a missing token
// (no error parameter) or insufficient_scope would not be cured by one.
function saysInvalidToken(response) {
  return /error="invalid_token"/.test(response.headers.get('WWW-Authenticate') ?? '');
}
