// The demo app: every call goes through latchkey.js, as a real first-party
// app's would. No framework and no inline script, so the page runs under
// `script-src 'self'`.
import { createClient } from '/latchkey.js';

const client = createClient();
const $ = (id) => document.getElementById(id);
let refreshes = 0;

function say(text, isError = false) {
  $('message').textContent = text;
  $('message').className = isError ? 'error' : '';
}

function showSignedIn(me) {
  $('status').textContent = me ? `Signed in as ${me.email}` : 'Signed out';
  $('status').dataset.state = me ? 'in' : 'out';
  $('signed-out').hidden = Boolean(me);
  // "Who am I?" stays: asking while signed out shows the refusal.
  for (const id of ['logout', 'logout-all', 'session-list']) $(id).hidden = !me;
  if (!me) {
    $('sessions').replaceChildren();
    $('whoami-result').textContent = '';
  }
}

// Shows whether the next call will refresh first; the browser test waits on
// it instead of sleeping.
function showTokenState() {
  const left = Math.ceil((client.expiresAt - Date.now()) / 1000);
  const state = !client.signedIn ? 'none' : left > 0 ? 'valid' : 'expired';
  $('token-state').dataset.state = state;
  $('token-state').textContent = {
    none: 'No access token in memory.',
    valid: `Access token valid for ${left} s.`,
    expired: 'Access token expired: the next call refreshes it.',
  }[state];
}

async function act(work) {
  try {
    await work();
  } catch (error) {
    say(error.message, true);
    if (error.status === 401) showSignedIn(null);
  }
}

async function whoami() {
  const me = await client.me();
  $('whoami-result').textContent = JSON.stringify(me, null, 2);
  showSignedIn(me);
  return me;
}

async function loadSessions() {
  const sessions = await client.sessions();
  $('sessions').replaceChildren(...sessions.map(sessionItem));
}

function sessionItem(session) {
  const item = document.createElement('li');
  item.dataset.id = session.id;
  item.className = session.current ? 'current' : '';
  const text = document.createElement('span');
  const when = new Date(session.last_used_at).toLocaleString();
  const who = session.current ? 'This browser' : session.user_agent || 'unknown client';
  text.textContent = `${who} · ${session.ip} · ${when}`;
  item.append(text);
  if (!session.current) {
    const revoke = document.createElement('button');
    revoke.type = 'button';
    revoke.className = 'revoke';
    revoke.textContent = 'Revoke';
    revoke.onclick = () =>
      act(async () => {
        await client.revokeSession(session.id);
        say('Session revoked.');
        await loadSessions();
      });
    item.append(revoke);
  }
  return item;
}

$('register-form').onsubmit = (event) => {
  event.preventDefault();
  act(async () => {
    const user = await client.register($('register-email').value, $('register-password').value);
    $('login-email').value = user.email;
    say(`Registered ${user.email}. Sign in now.`);
  });
};

$('login-form').onsubmit = (event) => {
  event.preventDefault();
  act(async () => {
    await client.login($('login-email').value, $('login-password').value);
    $('login-password').value = '';
    await whoami();
    await loadSessions();
    say('Signed in.');
  });
};

$('whoami').onclick = () => act(whoami);
$('load-sessions').onclick = () => act(loadSessions);
$('logout').onclick = () => act(() => client.logout().then(() => say('Signed out.')));
$('logout-all').onclick = () =>
  act(() => client.logout({ everywhere: true }).then(() => say('Signed out everywhere.')));

client.addEventListener('token', (event) => {
  if (event.detail.source === 'refresh') $('refresh-count').textContent = String(++refreshes);
  showTokenState();
});
client.addEventListener('signedout', () => {
  showSignedIn(null);
  showTokenState();
});
setInterval(showTokenState, 250);

// A reload has no access token: the refresh cookie, if any, gets one.
act(async () => {
  try {
    await whoami();
    await loadSessions();
  } catch (error) {
    if (error.status !== 401) throw error;
    showSignedIn(null);
  }
});
