// Issue 12 item 8: every public object that holds a key, a password, a grant or a token is
// formatted every way JS formats things (String(), template strings, JSON.stringify,
// util.inspect, console.log's formatting) and no secret may show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect, format } from 'node:util';
import { createPrivateKey } from 'node:crypto';
import {
  Client, Key, TokenProvider, TokenValidator, parseTokenResponse, isMaskinportenError,
} from 'maskinporten';
import { readVector, vectorFile } from './helpers.mjs';

const PASSWORD = 'vector-password';
const P12 = readVector('keys/client.p12');
const PEM = readVector('keys/client.key.pem', 'utf8');
const ACCESS_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LWFjY2Vzcy10b2tlbi1jbGFpbXM.c2VjcmV0LXNpZ25hdHVyZQ';

// Pieces of every secret: the private key (its PKCS#8 DER in base64, its JWK `d`), the password,
// the access token, and the grant of a token request.
const der = createPrivateKey(PEM).export({ format: 'der', type: 'pkcs8' });
const jwk = createPrivateKey(PEM).export({ format: 'jwk' });
const secrets = [PASSWORD, der.toString('base64').slice(100, 140), der.toString('hex').slice(200, 260), jwk.d.slice(0, 40),
  jwk.p.slice(0, 40), ACCESS_TOKEN, ACCESS_TOKEN.split('.')[1], ACCESS_TOKEN.split('.')[2]];

function renderings(value) {
  const out = [String(value), `${value}`, format('%s', value), format('%o', value), format('%O', value),
    inspect(value, { depth: 10, showHidden: true, getters: true })];
  try {
    out.push(JSON.stringify(value) ?? '');
  } catch (e) {
    out.push(String(e));
  }
  return out;
}

function assertClean(label, value, extra = []) {
  for (const text of renderings(value)) {
    for (const secret of [...secrets, ...extra]) {
      assert.ok(!text.includes(secret), `${label} shows a secret (${secret.slice(0, 12)}...) in: ${text.slice(0, 300)}`);
    }
  }
}

test('keys, clients and their descriptions hold no private key', () => {
  const keys = [Key.fromPkcs12(P12, PASSWORD), Key.fromPem(PEM).withKid('my-kid'), Key.fromJwk(readVector('keys/client.jwk.json', 'utf8'))];
  for (const key of keys) {
    assertClean('Key', key);
    assertClean('Key.certificate', key.certificate);
    assertClean('Key.publicJwk()', key.publicJwk());
    const client = new Client({ clientId: 'c0ffee00-0000-4000-8000-000000000000', key, environment: 'test' });
    assertClean('Client', client);
    assertClean('TokenProvider', new TokenProvider({ client, fetch: async () => new Response('') }));
  }
});

test('an access token is left out of every description of AccessToken', () => {
  const token = parseTokenResponse(200, JSON.stringify({ access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 120 }),
    'application/json', 1_767_225_600);
  assert.equal(token.accessToken, ACCESS_TOKEN);
  assertClean('AccessToken', token);
  assertClean('[AccessToken]', [token]);
  assertClean('{ token }', { token });
});

test('a token request and a prepared grant do not show the grant', async () => {
  const client = new Client({ clientId: 'c0ffee00-0000-4000-8000-000000000000', key: Key.fromPkcs12(P12, PASSWORD), environment: 'test' });
  const request = await client.tokenRequest({ scopes: ['test:scope.read'] });
  const assertion = new URLSearchParams(request.body).get('assertion');
  assert.equal(assertion.split('.').length, 3);
  const grantParts = [assertion, assertion.split('.')[2].slice(0, 40)];
  assertClean('TokenRequest', request, grantParts);
  assertClean('TokenRequest (sync)', client.tokenRequestSync({ scopes: ['test:scope.read'] }), [client.tokenRequestSync({ scopes: ['test:scope.read'], jti: 'x', now: 1_767_225_600 }).body.slice(-40)]);
  const prepared = client.prepareGrant({ scopes: ['test:scope.read'] });
  assertClean('PreparedGrant', prepared, [prepared.signingInput]);
});

test('errors never carry the password, the token or the header', async () => {
  const wrong = (() => { try { Key.fromPkcs12(P12, 'hunter2-not-the-password'); } catch (e) { return e; } })();
  assertClean('wrong password', wrong, ['hunter2-not-the-password']);
  const doc = vectorFile('validation.json');
  const expired = doc.cases.find((c) => c.name === 'expired');
  const validator = new TokenValidator({ environment: doc.issuer, now: () => expired.now * 1000, fetch: async () => new Response('') });
  validator.updateJwks(readVector(doc.jwks_file, 'utf8'));
  const e = await validator.validate(`Bearer ${expired.token}`, { scopes: ['test:scope.read'] }).catch((x) => x);
  assert.ok(isMaskinportenError(e) && e.code === 'token_expired', String(e));
  assertClean('validation error', e, [expired.token.split('.')[1].slice(0, 40), expired.token.split('.')[2].slice(0, 40)]);
  assertClean('TokenValidator', validator);
});

test('events carry no token and no grant', async () => {
  const events = [];
  const client = new Client({ clientId: 'c0ffee00-0000-4000-8000-000000000000', key: Key.fromPkcs12(P12, PASSWORD), environment: 'test' });
  let calls = 0;
  const provider = new TokenProvider({
    client,
    onEvent: (event) => events.push(event),
    sleep: async () => {},
    fetch: async (url, init) => {
      calls++;
      events.push({ grantSeen: new URLSearchParams(init.body).get('assertion').split('.')[2].slice(0, 40) });
      if (calls === 1) return new Response('busy', { status: 503 });
      return new Response(JSON.stringify({ access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 120 }),
        { status: 200, headers: { 'content-type': 'application/json' } });
    },
  });
  await provider.token({ scopes: ['test:scope.read'] });
  await provider.token({ scopes: ['test:scope.read'] });
  provider.reject({ scopes: ['test:scope.read'] }, ACCESS_TOKEN);
  const grants = events.filter((e) => e.grantSeen).map((e) => e.grantSeen);
  const flowEvents = events.filter((e) => e.event);
  assert.deepEqual(flowEvents.map((e) => e.event),
    ['fetch_started', 'retry_scheduled', 'fetch_started', 'fetch_succeeded', 'cache_hit', 'token_rejected']);
  for (const event of flowEvents) assertClean(`event ${event.event}`, event, grants);
});
