// Local OpenID Provider for Vigil's end-to-end tests. NOT for production use:
// it accepts any password for a fixed set of synthetic accounts.
//
// Contract (see README.md): env OP_PORT (required), OP_CLIENT_ID,
// OP_CLIENT_SECRET, OP_REDIRECT_URI, OP_POST_LOGOUT_REDIRECT_URI, optional
// OP_JWKS_FILE, OP_BACKCHANNEL_LOGOUT_URI and OP_CLAIM_SHAPE. Prints exactly one stdout line `READY <issuer>` once listening;
// everything else goes to stderr.
//
// Logout, for a non-browser client (details in README.md):
//   1. GET  /session/end?id_token_hint=..&post_logout_redirect_uri=..&state=..
//      (send the _session cookie) -> 200 HTML whose form holds a hidden `xsrf`.
//   2. POST /session/end/confirm  body xsrf=<value>&logout=yes  (same cookies)
//      -> 303 Location: <post_logout_redirect_uri>?state=..
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';

// oidc-provider prints NOTICE lines with console.info (stdout). The harness
// reads stdout for the READY line, so route console.log/info to stderr before
// the library is loaded (hence the dynamic import below).
console.log = console.error;
console.info = console.error;
const { default: Provider } = await import('oidc-provider');
// The built-in memory store is per Provider instance; key rotation (below)
// replaces the instance, so create one store here and share it. Deep import
// is fine: the package has no "exports" map and the version is pinned.
const { createMemoryAdapter } = await import('oidc-provider/lib/adapters/memory_adapter.js');
const sharedAdapter = createMemoryAdapter(15); // 15 s = the default clockTolerance

function env(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    if (fallback === undefined) {
      console.error(`provider.mjs: ${name} is required`);
      process.exit(2);
    }
    return fallback;
  }
  return value;
}

const PORT = Number(env('OP_PORT'));
if (!Number.isInteger(PORT) || PORT < 1 || PORT > 65535) {
  console.error(`provider.mjs: OP_PORT must be a TCP port, got ${process.env.OP_PORT}`);
  process.exit(2);
}
const ISSUER = `http://127.0.0.1:${PORT}`;
const CLIENT_ID = env('OP_CLIENT_ID', 'vigil');
const CLIENT_SECRET = env('OP_CLIENT_SECRET', 'vigil-test-secret');
const REDIRECT_URI = env('OP_REDIRECT_URI', 'http://127.0.0.1:8080/auth/callback');
const POST_LOGOUT_REDIRECT_URI = env('OP_POST_LOGOUT_REDIRECT_URI', 'http://127.0.0.1:8080/');
const BACKCHANNEL_LOGOUT_URI = process.env.OP_BACKCHANNEL_LOGOUT_URI || undefined;
// Which provider's claims to imitate (README.md, "Claim shapes"): `vigil` (the
// default: vigil_roles / vigil_org), `keycloak` or `entra`.
const CLAIM_SHAPE = env('OP_CLAIM_SHAPE', 'vigil');
if (!['vigil', 'keycloak', 'entra'].includes(CLAIM_SHAPE)) {
  console.error(`provider.mjs: OP_CLAIM_SHAPE must be vigil, keycloak or entra, got ${CLAIM_SHAPE}`);
  process.exit(2);
}

// Synthetic accounts only. `ppo-b` is a second PPO in another organisation so
// tests can check cross-organisation isolation.
const ACCOUNTS = {
  intake: { role: 'intake', org: 'met-ppu', name: 'Test Intake Officer' },
  probation: { role: 'probation', org: 'met-ppu', name: 'Test Probation Officer' },
  ppo: { role: 'ppo', org: 'met-ppu', name: 'Test Public Protection Officer' },
  supervisor: { role: 'supervisor', org: 'met-ppu', name: 'Test Supervisor' },
  auditor: { role: 'auditor', org: 'met-ppu', name: 'Test Auditor' },
  admin: { role: 'admin', org: 'met-ppu', name: 'Test Administrator' },
  'ppo-b': { role: 'ppo', org: 'gmp-ppu', name: 'Test Public Protection Officer B' },
};

// What an administrator at the provider would change (test endpoints below):
// a disabled account, and accounts that log in with a second factor.
const DISABLED = new Set();
const MFA = new Set();
const MFA_ACR = 'urn:vigil:test:mfa';

// Entra ID app role values as an app registration would define them.
const ENTRA_ROLES = {
  ppo: 'Vigil.PPO', probation: 'Vigil.Probation', intake: 'Vigil.Intake',
  supervisor: 'Vigil.Supervisor', auditor: 'Vigil.Auditor', admin: 'Vigil.Admin',
};
const ENTRA_TENANT = '00000000-0000-4000-8000-000000000001'; // synthetic

// The role and organisation claims in the chosen provider's shape.
function shapedClaims(a) {
  if (CLAIM_SHAPE === 'keycloak') {
    // Realm roles carry Keycloak's own defaults beside the realm's `vigil-<role>`,
    // and an unrelated realm role spelt like one of Vigil's; client roles sit
    // under the client id; a user-attribute mapper gives the organisation.
    return {
      realm_access: { roles: ['default-roles-vigil-test', 'offline_access', 'uma_authorization', 'admin', `vigil-${a.role}`] },
      resource_access: { [CLIENT_ID]: { roles: [a.role] }, account: { roles: ['manage-account', 'view-profile'] } },
      vigil_org: a.org,
    };
  }
  if (CLAIM_SHAPE === 'entra') {
    // App role values of the app registration (one Vigil does not map), the
    // tenant id, and a directory extension optional claim (`extn.<name>`).
    return { roles: [ENTRA_ROLES[a.role] ?? `Vigil.${a.role}`, 'Vigil.Reports.Read'], tid: ENTRA_TENANT, 'extn.orgCode': a.org };
  }
  return { vigil_roles: [a.role], vigil_org: a.org };
}

// Returning undefined for an unknown or disabled id makes the login fail, and
// a refresh grant for it fail with invalid_grant (see README).
async function findAccount(ctx, id) {
  if (!Object.hasOwn(ACCOUNTS, id) || DISABLED.has(id)) return undefined;
  const a = ACCOUNTS[id];
  return {
    accountId: id,
    async claims() {
      return { sub: id, name: a.name, ...shapedClaims(a) };
    },
  };
}

function newSigningKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), alg: 'RS256', use: 'sig' };
}

function initialKeys() {
  const file = process.env.OP_JWKS_FILE;
  if (file) return JSON.parse(fs.readFileSync(file, 'utf8')).keys;
  return [newSigningKey()];
}

// One random cookie key for the whole process, shared by every Provider
// instance, so session cookies stay valid across a key rotation.
const COOKIE_KEYS = [crypto.randomBytes(32).toString('base64url')];

function makeProvider(keys) {
  const provider = new Provider(ISSUER, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [REDIRECT_URI],
      post_logout_redirect_uris: [POST_LOGOUT_REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
      // auth_time in every ID token, also on SSO re-authorisations where no
      // login prompt happens (oidc-provider omits it there otherwise).
      require_auth_time: true,
      ...(BACKCHANNEL_LOGOUT_URI ? {
        backchannel_logout_uri: BACKCHANNEL_LOGOUT_URI,
        backchannel_logout_session_required: true,
      } : {}),
    }],
    // Refresh tokens for the code grant (no offline_access): they die with the
    // person's session here, which is what lets the RP revalidate sessions.
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    acrValues: [MFA_ACR, 'urn:vigil:test:pwd'],
    // The provider refuses outgoing requests to loopback addresses (SSRF
    // protection); back-channel logouts must reach the service on 127.0.0.1.
    // Test-only: the provider here and the service are both on loopback.
    fetch: (url, options) => globalThis.fetch(url, { ...options, dispatcher: undefined }),
    jwks: { keys },
    adapter: sharedAdapter,
    findAccount,
    // Only the code flow; keeps discovery honest about what the RP may use.
    responseTypes: ['code'],
    // scope `vigil` -> role/org claims (Keycloak: a client scope `vigil` holding
    // the mappers); `profile` -> name (optional for the RP). Entra sends app
    // roles and optional claims without any scope, so they come with `openid`.
    claims: {
      acr: null, amr: null, auth_time: null, sid: null, profile: ['name'],
      ...(CLAIM_SHAPE === 'entra'
        ? { openid: ['sub', 'roles', 'tid', 'extn.orgCode'] }
        : { openid: ['sub'], vigil: CLAIM_SHAPE === 'keycloak' ? ['realm_access', 'resource_access', 'vigil_org'] : ['vigil_roles', 'vigil_org'] }),
    },
    // Put scope-granted claims in the ID token itself, not only at userinfo.
    conformIdTokenClaims: false,
    // v9 supports only S256; the default only *requires* PKCE for public
    // clients, so require it for our confidential client too.
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      backchannelLogout: { enabled: true },
      // Lets the RP ask for `amr` in the ID token (OIDC Core 5.5).
      claimsParameter: { enabled: true },
    },
    cookies: { keys: COOKIE_KEYS },
    ttl: {
      AuthorizationCode: 60,
      IdToken: 300,
      AccessToken: 300,
      Interaction: 600,
      Session: 600,
      Grant: 600,
      RefreshToken: 600,
    },
  });
  // devInteractions records any login string, and with findAccount returning
  // undefined the resume step then fails with a 500. Turn an unknown login
  // into an access_denied result just before the resume endpoint
  // (GET /auth/<uid>) reads it, so the RP gets a normal error redirect and
  // the session never holds the unknown id.
  provider.use(async (ctx, next) => {
    const m = ctx.method === 'GET' && /^\/auth\/([^/]+)$/.exec(ctx.path);
    if (m) {
      const interaction = await provider.Interaction.find(m[1]);
      const id = interaction?.result?.login?.accountId;
      if (id !== undefined && (!Object.hasOwn(ACCOUNTS, id) || DISABLED.has(id))) {
        interaction.result = { error: 'access_denied', error_description: 'unknown account' };
        await interaction.persist();
      } else if (id !== undefined) {
        // The dev login page has no second factor; say which one was "used".
        const mfa = MFA.has(id);
        interaction.result.login.acr = mfa ? MFA_ACR : 'urn:vigil:test:pwd';
        interaction.result.login.amr = mfa ? ['pwd', 'otp'] : ['pwd'];
        await interaction.persist();
      }
    }
    return next();
  });
  // Errors to stderr so failing e2e tests show the OP's reason.
  for (const event of ['server_error', 'authorization.error', 'grant.error',
    'end_session.error', 'interaction.error', 'jwks.error', 'discovery.error',
    'userinfo.error', 'check_session.error', 'introspection.error', 'revocation.error',
    'backchannel.error']) {
    provider.on(event, (ctx, err) => console.error(`oidc-provider ${event}:`, err?.message ?? err, err?.error_description ?? ''));
  }
  return provider;
}

// oidc-provider has no public API to swap keys at runtime, so rotation builds
// a new Provider with a fresh key and routes requests to it. The adapter
// store and COOKIE_KEYS are shared, so sessions, grants and codes survive.
let handler = makeProvider(initialKeys()).callback();

// Test controls, POST only: rotate keys; and for an account, what an
// administrator at the provider would do: disable it, change its role,
// require a second factor.
//   /__test/rotate-keys
//   /__test/accounts/<id>/disable
//   /__test/accounts/<id>/role/<role>
//   /__test/accounts/<id>/mfa
function testControl(path) {
  if (path === '/__test/rotate-keys') {
    handler = makeProvider([newSigningKey()]).callback();
    return true;
  }
  const m = /^\/__test\/accounts\/([^/]+)\/(disable|mfa|role\/([a-z]+))$/.exec(path);
  if (!m || !Object.hasOwn(ACCOUNTS, m[1])) return false;
  if (m[2] === 'disable') DISABLED.add(m[1]);
  else if (m[2] === 'mfa') MFA.add(m[1]);
  else ACCOUNTS[m[1]].role = m[3];
  return true;
}

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/__test/')) {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    res.writeHead(testControl(req.url) ? 204 : 404).end();
    return;
  }
  handler(req, res);
});

server.on('error', (err) => {
  console.error('provider.mjs: server error:', err);
  process.exit(1);
});

server.listen(PORT, '127.0.0.1', () => {
  process.stdout.write(`READY ${ISSUER}\n`);
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  // Safety net if something keeps the server open.
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
