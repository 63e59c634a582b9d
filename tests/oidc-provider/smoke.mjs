// Smoke test for provider.mjs: starts it on a free port and drives the exact
// non-browser flows the Rust e2e tests use (login, consent, token exchange
// with PKCE S256, key rotation, logout). No dependencies beyond Node itself.
// Exits non-zero on the first failure. `SMOKE_VERBOSE=1` prints every hop.
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const VERBOSE = process.env.SMOKE_VERBOSE === '1';
const CLIENT_ID = 'vigil-smoke';
const CLIENT_SECRET = 'smoke-secret';
const REDIRECT_URI = 'http://127.0.0.1:1/auth/callback'; // never contacted
const POST_LOGOUT_REDIRECT_URI = 'http://127.0.0.1:1/signed-out';

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}
let passed = 0;
function ok(msg) { passed += 1; console.error(`ok ${msg}`); }
const b64url = (buf) => Buffer.from(buf).toString('base64url');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// Minimal cookie jar: honours Path (the OP scopes interaction cookies to
// /interaction/<uid> and /auth/<uid>) and deletions; ignores Domain/Secure.
class Jar {
  #c = new Map(); // `${path}\t${name}` -> {name, value, path}
  store(url, res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let cpath = new URL(url).pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = value === '';
      for (const a of attrs) {
        const [k, v = ''] = a.split('=');
        if (k.toLowerCase() === 'path') cpath = v;
        if (k.toLowerCase() === 'expires' && Date.parse(v) <= Date.now()) expired = true;
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
      }
      const key = `${cpath}\t${name}`;
      if (expired) this.#c.delete(key); else this.#c.set(key, { name, value, path: cpath });
    }
  }
  header(url) {
    const p = new URL(url).pathname;
    return [...this.#c.values()]
      .filter((c) => p === c.path || p.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`).join('; ');
  }
  names() { return [...this.#c.values()].map((c) => `${c.name}@${c.path}`); }
}

async function hop(jar, method, url, { form, headers = {} } = {}) {
  const cookie = jar.header(url);
  const res = await fetch(url, {
    method,
    redirect: 'manual',
    headers: { ...(cookie ? { cookie } : {}), ...headers },
    body: form ? new URLSearchParams(form) : undefined,
  });
  jar.store(url, res);
  const location = res.headers.get('location') ? new URL(res.headers.get('location'), url).href : undefined;
  const body = await res.text();
  if (VERBOSE) {
    console.error(`${method} ${url}${form ? ` ${new URLSearchParams(form)}` : ''}\n  -> ${res.status}${location ? ` Location: ${location}` : ''}\n  set-cookie: ${res.headers.getSetCookie().map((c) => c.split(';').slice(0, 2).join(';')).join(' | ') || '-'}`);
  }
  return { status: res.status, location, body, headers: res.headers };
}

function pkce() {
  const verifier = b64url(crypto.randomBytes(32));
  return { verifier, challenge: crypto.hash('sha256', verifier, 'base64url') };
}

function authUrl(op, { challenge, method = 'S256', state, nonce, scope = 'openid vigil' }) {
  const q = new URLSearchParams({
    response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, scope, state, nonce,
  });
  if (challenge) { q.set('code_challenge', challenge); q.set('code_challenge_method', method); }
  return `${op.authorization_endpoint}?${q}`;
}

// Follows OP redirects (never the RP's) until a page, an error, or the RP.
async function follow(jar, url) {
  let r = await hop(jar, 'GET', url);
  while (r.status >= 300 && r.status < 400 && !r.location.startsWith(REDIRECT_URI)) {
    r = await hop(jar, 'GET', r.location);
  }
  return r;
}

// The full interactive login for `account`; returns the RP callback params.
async function login(op, jar, account, { scope } = {}) {
  const { verifier, challenge } = pkce();
  const state = b64url(crypto.randomBytes(8));
  const nonce = b64url(crypto.randomBytes(8));

  // 1. Authorization request -> 303 /interaction/<uid> -> login page.
  let r = await hop(jar, 'GET', authUrl(op, { challenge, state, nonce, scope }));
  assert(r.status === 303 && /\/interaction\/[^/]+$/.test(r.location), `auth -> interaction, got ${r.status} ${r.location}`);
  let page = r.location;
  r = await hop(jar, 'GET', page);
  assert(r.status === 200 && r.body.includes('name="prompt" value="login"'), 'login page');

  // 2. Login form: POST back to the same /interaction/<uid> URL.
  r = await hop(jar, 'POST', page, { form: { prompt: 'login', login: account, password: 'anything' } });
  assert(r.status === 303 && /\/auth\/[^/]+$/.test(r.location), `login -> resume, got ${r.status} ${r.location}`);
  r = await hop(jar, 'GET', r.location);
  if (r.location?.startsWith(REDIRECT_URI)) return { callback: new URL(r.location), verifier, nonce, state };
  assert(r.status === 303 && /\/interaction\/[^/]+$/.test(r.location), `resume -> consent, got ${r.status} ${r.location}`);

  // 3. Consent: new uid; POST prompt=consent, no other fields needed.
  page = r.location;
  r = await hop(jar, 'GET', page);
  assert(r.status === 200 && r.body.includes('name="prompt" value="consent"'), 'consent page');
  r = await hop(jar, 'POST', page, { form: { prompt: 'consent' } });
  assert(r.status === 303 && /\/auth\/[^/]+$/.test(r.location), `consent -> resume, got ${r.status}`);
  r = await hop(jar, 'GET', r.location);
  assert(r.status === 303 && r.location.startsWith(REDIRECT_URI), `resume -> RP, got ${r.status} ${r.location}`);
  return { callback: new URL(r.location), verifier, nonce, state };
}

async function token(op, form) {
  const basic = Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64');
  const res = await fetch(op.token_endpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: res.status, json: await res.json() };
}

async function exchange(op, { callback, verifier }) {
  const code = callback.searchParams.get('code');
  assert(code, `callback has code: ${callback}`);
  return token(op, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
}

async function verifyIdToken(op, idToken) {
  const [h, p, s] = idToken.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  const { keys } = await (await fetch(op.jwks_uri)).json();
  const jwk = keys.find((k) => k.kid === header.kid);
  assert(header.alg === 'RS256', `alg RS256, got ${header.alg}`);
  assert(jwk, `kid ${header.kid} is in JWKS`);
  const ok = crypto.verify('sha256', Buffer.from(`${h}.${p}`), crypto.createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s, 'base64url'));
  assert(ok, 'ID token signature verifies');
  return { header, payload };
}

const EXPECTED = {
  intake: ['intake', 'met-ppu'],
  probation: ['probation', 'met-ppu'],
  ppo: ['ppo', 'met-ppu'],
  supervisor: ['supervisor', 'met-ppu'],
  auditor: ['auditor', 'met-ppu'],
  admin: ['admin', 'met-ppu'],
  'ppo-b': ['ppo', 'gmp-ppu'],
};

async function main(issuer) {
  const op = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  assert(op.issuer === issuer, 'issuer');
  assert(JSON.stringify(op.code_challenge_methods_supported) === '["S256"]', 'only S256');
  assert(op.end_session_endpoint === `${issuer}/session/end`, 'end_session_endpoint');
  assert(op.id_token_signing_alg_values_supported.includes('RS256'), 'RS256');
  ok('discovery');

  // PKCE is mandatory and plain is refused (error redirect to the RP).
  for (const [label, opts] of [['missing', {}], ['plain', { challenge: 'a'.repeat(43), method: 'plain' }]]) {
    const r = await hop(new Jar(), 'GET', authUrl(op, { ...opts, state: 's', nonce: 'n' }));
    assert(r.status === 303 && r.location.startsWith(REDIRECT_URI), `${label} PKCE: error redirect`);
    assert(new URL(r.location).searchParams.get('error') === 'invalid_request', `${label} PKCE: invalid_request`);
  }
  ok('PKCE required, S256 only');

  // Unknown account: login must not produce a code.
  {
    const jar = new Jar();
    const { challenge } = pkce();
    let r = await hop(jar, 'GET', authUrl(op, { challenge, state: 's', nonce: 'n' }));
    r = await hop(jar, 'POST', r.location, { form: { prompt: 'login', login: 'nobody', password: 'x' } });
    r = await follow(jar, r.location);
    const err = r.location && new URL(r.location).searchParams;
    assert(r.status === 303 && r.location.startsWith(REDIRECT_URI) && err.get('error') === 'access_denied' && !err.has('code'),
      `unknown account -> error=access_denied, got ${r.status} ${r.location}`);
  }
  ok('unknown account rejected (error=access_denied)');

  // Every account: full login + consent + token; claims in the ID token.
  for (const [account, [role, org]] of Object.entries(EXPECTED)) {
    const flow = await login(op, new Jar(), account);
    assert(flow.callback.searchParams.get('state') === flow.state, 'state echoed');
    assert(flow.callback.searchParams.get('iss') === issuer, 'iss in callback (RFC 9207)');
    const t = await exchange(op, flow);
    assert(t.status === 200 && t.json.id_token, `token exchange for ${account}: ${JSON.stringify(t.json)}`);
    const { payload } = await verifyIdToken(op, t.json.id_token);
    assert(payload.iss === issuer && payload.aud === CLIENT_ID, 'iss/aud');
    assert(payload.sub === account && payload.nonce === flow.nonce, 'sub/nonce');
    assert(JSON.stringify(payload.vigil_roles) === JSON.stringify([role]), `vigil_roles for ${account}`);
    assert(payload.vigil_org === org, `vigil_org for ${account}`);
    assert(Number.isInteger(payload.auth_time), 'auth_time');
  }
  ok('all 7 accounts: login, consent, token, ID token claims');

  // Wrong verifier is refused; the `profile` scope adds `name`; SSO re-auth
  // with the same cookies skips both prompts and still carries auth_time.
  const jar = new Jar();
  const first = await login(op, jar, 'ppo', { scope: 'openid vigil profile' });
  const bad = await exchange(op, { ...first, verifier: pkce().verifier });
  assert(bad.status === 400 && bad.json.error === 'invalid_grant', 'wrong code_verifier -> invalid_grant');
  const sso = async () => {
    const { verifier, challenge } = pkce();
    const r = await hop(jar, 'GET', authUrl(op, { challenge, state: 's2', nonce: 'n2', scope: 'openid vigil profile' }));
    assert(r.status === 303 && r.location.startsWith(REDIRECT_URI), `SSO: straight to RP, got ${r.status} ${r.location}`);
    const t = await exchange(op, { callback: new URL(r.location), verifier });
    assert(t.status === 200, `SSO token: ${JSON.stringify(t.json)}`);
    return t.json.id_token;
  };
  const ssoToken = await sso();
  const { header: h1, payload: p1 } = await verifyIdToken(op, ssoToken);
  assert(p1.name === 'Test Public Protection Officer' && Number.isInteger(p1.auth_time), 'SSO ID token: name, auth_time');
  ok('wrong verifier refused; SSO re-auth; profile -> name');

  // Key rotation: new kid, old kid gone from JWKS, session survives.
  const rot = await fetch(`${issuer}/__test/rotate-keys`, { method: 'POST' });
  assert(rot.status === 204, `rotate-keys -> 204, got ${rot.status}`);
  const { keys } = await (await fetch(op.jwks_uri)).json();
  assert(keys.length === 1 && keys[0].kid !== h1.kid && !('d' in keys[0]), 'JWKS has only the new public key');
  const rotatedToken = await sso();
  const { header: h2 } = await verifyIdToken(op, rotatedToken);
  assert(h2.kid === keys[0].kid, 'new ID token uses the new kid');
  ok('rotate-keys');

  // Logout: GET end_session -> confirm page with xsrf -> POST confirm.
  {
    const q = new URLSearchParams({ id_token_hint: rotatedToken, post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI, state: 'bye' });
    let r = await hop(jar, 'GET', `${op.end_session_endpoint}?${q}`);
    const xsrf = r.body.match(/name="xsrf" value="([^"]+)"/)?.[1];
    assert(r.status === 200 && xsrf, 'logout confirm page with xsrf');
    r = await hop(jar, 'POST', `${op.end_session_endpoint}/confirm`, { form: { xsrf, logout: 'yes' } });
    assert(r.status === 303 && r.location === `${POST_LOGOUT_REDIRECT_URI}?state=bye`, `logout -> post_logout_redirect_uri, got ${r.status} ${r.location}`);
    // Session is gone: a new authorization asks for login again.
    r = await hop(jar, 'GET', authUrl(op, { challenge: pkce().challenge, state: 's', nonce: 'n' }));
    assert(r.status === 303 && /\/interaction\//.test(r.location), 'after logout, login is required again');
    // An ID token signed with a dropped key is not accepted as id_token_hint.
    const old = new URLSearchParams({ id_token_hint: ssoToken, post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI });
    r = await hop(new Jar(), 'GET', `${op.end_session_endpoint}?${old}`);
    assert(r.status === 400, `id_token_hint signed by rotated-out key -> 400, got ${r.status}`);
  }
  ok('logout');
}

const port = await freePort();
const child = spawn(process.execPath, [path.join(path.dirname(fileURLToPath(import.meta.url)), 'provider.mjs')], {
  env: {
    ...process.env,
    OP_PORT: String(port),
    OP_CLIENT_ID: CLIENT_ID,
    OP_CLIENT_SECRET: CLIENT_SECRET,
    OP_REDIRECT_URI: REDIRECT_URI,
    OP_POST_LOGOUT_REDIRECT_URI: POST_LOGOUT_REDIRECT_URI,
  },
  stdio: ['ignore', 'pipe', VERBOSE ? 'inherit' : 'ignore'],
});
let code = 1;
try {
  const stdout = [];
  const issuer = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('provider did not print READY within 15 s')), 15000);
    child.on('exit', (c) => reject(new Error(`provider exited early (${c})`)));
    child.stdout.on('data', (d) => {
      stdout.push(d);
      const m = Buffer.concat(stdout).toString().match(/^READY (\S+)\n/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
  });
  assert(issuer === `http://127.0.0.1:${port}`, `READY line names the issuer: ${issuer}`);
  await main(issuer);
  assert(Buffer.concat(stdout).toString() === `READY ${issuer}\n`, 'stdout holds only the READY line');
  console.error(`smoke: ${passed} passed, 0 failed`);
  code = 0;
} catch (err) {
  console.error(`smoke: FAILED: ${err.stack || err}`);
  console.error(`smoke: ${passed} passed, 1 failed`);
} finally {
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
process.exit(code);
