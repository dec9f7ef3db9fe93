// The demo's third-party app: a public client in the browser using the
// authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636) and checking
// the issuer of the answer (RFC 9207). One page both starts the flow and
// receives the answer, as the demo client's one redirect URI. It talks to
// Latchkey only through the standard endpoints, never through latchkey.js,
// and keeps its tokens in memory: a reload forgets them, and the page never
// shows one. No inline script, so it runs under `script-src 'self'`.

// What a started flow must remember across the round trip to Latchkey:
// sessionStorage, so it stays with this tab and goes with it.
const PENDING = 'latchkey-demo-third-party';
const $ = (id) => document.getElementById(id);

// { clientID, refreshToken, expiresAt, scope } once tokens were granted.
let granted = null;
let refreshes = 0;

function show(state, text) {
  $('flow').dataset.state = state;
  $('flow').textContent = text;
}

function say(text, isError = false) {
  $('message').textContent = text;
  $('message').className = isError ? 'error' : '';
}

function base64url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(byteCount) {
  return base64url(crypto.getRandomValues(new Uint8Array(byteCount)));
}

async function s256(verifier) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

async function getJSON(path) {
  const response = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}

// A token request as a public client: form-encoded, client_id and no secret,
// and no cookies (an app on another site would have none of Latchkey's).
async function tokenRequest(fields) {
  const response = await fetch('/oauth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams(fields).toString(),
    credentials: 'omit',
    cache: 'no-store',
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: reported below by status.
  }
  if (!response.ok || !body || typeof body.access_token !== 'string') {
    const reason = body && typeof body.error === 'string'
      ? `${body.error}${body.error_description ? ` (${body.error_description})` : ''}`
      : `status ${response.status}`;
    throw new Error(`The token endpoint refused: ${reason}.`);
  }
  if (String(body.token_type).toLowerCase() !== 'bearer') {
    throw new Error(`Unexpected token type ${body.token_type}.`);
  }
  return body;
}

async function start(config) {
  if (!globalThis.crypto?.subtle) {
    throw new Error('PKCE needs Web Crypto, which browsers offer only on https or localhost.');
  }
  const verifier = randomText(48); // 64 characters, within RFC 7636's 43 to 128
  const state = randomText(16);
  sessionStorage.setItem(PENDING, JSON.stringify({
    state, verifier, clientID: config.client_id, redirectURI: config.redirect_uri,
  }));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.client_id,
    redirect_uri: config.redirect_uri,
    state,
    code_challenge: await s256(verifier),
    code_challenge_method: 'S256',
  });
  if (config.scope) query.set('scope', config.scope);
  show('redirecting', 'Taking you to Latchkey…');
  location.assign(`/oauth/authorize?${query}`);
}

// The answer on the redirect URI: `code` or `error`, with `state` and `iss`.
async function finish(params) {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  // One answer per start, and the code leaves the address bar and history.
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', location.pathname);
  if (!pending || params.get('state') !== pending.state) {
    throw new Error('This answer does not match a request started in this tab (state mismatch), so it is ignored.');
  }
  // Checked on errors too: an answer from another server (a mix-up attack)
  // is dropped before anything in it is believed.
  const { issuer } = await getJSON('/.well-known/oauth-authorization-server');
  if (!params.get('iss') || params.get('iss') !== issuer) {
    throw new Error('This answer does not come from the expected issuer (iss mismatch), so it is ignored.');
  }
  if (params.has('error')) {
    const description = params.get('error_description');
    throw new Error(`Latchkey answered ${params.get('error')}${description ? `: ${description}` : ''}.`);
  }
  const code = params.get('code');
  if (!code) throw new Error('The answer carries neither a code nor an error.');
  show('exchanging', 'Exchanging the code for tokens…');
  const answer = await tokenRequest({
    grant_type: 'authorization_code',
    code,
    redirect_uri: pending.redirectURI,
    client_id: pending.clientID,
    code_verifier: pending.verifier,
  });
  keep(answer, pending.clientID);
  say('Signed in with Latchkey.');
}

// Only what the page shows and the refresh token survive; an app would use
// the access token on its API calls, and this one makes none.
function keep(answer, clientID) {
  granted = {
    clientID,
    // A rotated refresh token replaces the old one; without one, the old stays.
    refreshToken: answer.refresh_token ?? granted?.refreshToken ?? null,
    expiresAt: Date.now() + Number(answer.expires_in ?? 0) * 1000,
    scope: typeof answer.scope === 'string' ? answer.scope : granted?.scope ?? '',
  };
  show('authorized', 'Connected: the app holds a token for your account.');
  $('granted-scope').textContent = granted.scope || '(no scope)';
  $('refresh-count').textContent = String(refreshes);
  $('refresh').disabled = !granted.refreshToken;
  $('start-section').hidden = true;
  $('result').hidden = false;
  $('start-over').hidden = false;
  showExpiry();
}

function showExpiry() {
  if (!granted) return;
  const left = Math.ceil((granted.expiresAt - Date.now()) / 1000);
  $('expires').dataset.state = left > 0 ? 'valid' : 'expired';
  $('expires').textContent = left > 0
    ? `valid for ${left} s (until ${new Date(granted.expiresAt).toLocaleTimeString()})`
    : 'expired: refresh for a new one';
}

async function refresh() {
  if (!granted?.refreshToken) return;
  show('refreshing', 'Refreshing…');
  try {
    const answer = await tokenRequest({
      grant_type: 'refresh_token', refresh_token: granted.refreshToken, client_id: granted.clientID,
    });
    refreshes += 1;
    keep(answer, granted.clientID);
    say('Refreshed: a new access token and a new refresh token.');
  } catch (error) {
    // A refused refresh token is dead for good (revoked, expired or reused).
    granted = null;
    $('result').hidden = true;
    throw error;
  }
}

function startOver() {
  granted = null;
  refreshes = 0;
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', location.pathname);
  $('result').hidden = true;
  $('start-over').hidden = true;
  $('start-section').hidden = false;
  say('');
  show('ready', 'Not connected.');
}

async function act(work) {
  try {
    await work();
  } catch (error) {
    show('error', 'Not connected.');
    say(error.message, true);
    $('start-over').hidden = false;
  }
}

async function main() {
  let config;
  try {
    config = await getJSON('/demo/config.json');
    if (typeof config.client_id !== 'string' || typeof config.redirect_uri !== 'string') {
      throw new Error('it lacks client_id or redirect_uri');
    }
  } catch (error) {
    show('config-error', `Could not load the demo's configuration (/demo/config.json): ${error.message}.`);
    return;
  }
  $('start').onclick = () => act(() => start(config));
  $('refresh').onclick = () => act(refresh);
  $('start-over').onclick = startOver;
  setInterval(showExpiry, 1000);

  const params = new URLSearchParams(location.search);
  if (params.has('code') || params.has('error')) {
    show('exchanging', 'Checking the answer…');
    await act(() => finish(params));
    return;
  }
  startOver();
  // The answer comes back to the registered URI only: a tab opened on
  // another name of the server would start a flow it could never finish.
  const home = new URL(config.redirect_uri, location.href);
  if (home.origin !== location.origin || home.pathname !== location.pathname) {
    $('start-section').hidden = true;
    show('elsewhere', `Open this page at ${home.href} to try the flow.`);
  }
}

main();
