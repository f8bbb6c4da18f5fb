// The JS API around the core: errors, key handling, external signers, the cache, the fetch
// provider and the fetch wrapper, with fake fetches (the simulator is in e2e.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto, createPrivateKey, sign as nodeSign } from 'node:crypto';
import {
  Client, Key, Environment, TokenProvider, authorizedFetch,
  MaskinportenError, isMaskinportenError,
} from 'maskinporten';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS, vectorFile, readVector, loadKey, makeClient, grantOptions, decodeJwt } from './helpers.mjs';

const grants = vectorFile('grants.json').cases;
const x5cCase = grants.find((c) => c.key.type === 'pkcs12' && c.client.x5c == null && c.client.algorithm == null &&
  c.client.environment === 'test' && c.grant.consumer_org == null && c.grant.authorization_details == null) ?? grants[0];
const P12 = readVector('keys/client.p12');
const PASSWORD = x5cCase.key.password;
const X5C_CLIENT = x5cCase.client.client_id;

function caughtSync(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail('expected an error');
}

async function caught(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected an error');
}

function fixedClient(extra = {}) {
  return makeClient(x5cCase.client, loadKey(x5cCase.key), extra);
}

const okBody = (token, expiresIn = 120) =>
  JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: 'test:scope.read' });

test('a wrong password is a MaskinportenError without the password in it', () => {
  const e = caughtSync(() => Key.fromPkcs12(P12, 'hunter2-not-it'));
  assert.ok(isMaskinportenError(e));
  assert.ok(e instanceof MaskinportenError && e instanceof Error);
  assert.equal(e.name, 'MaskinportenError');
  assert.equal(e.code, 'wrong_password');
  assert.equal(e.retryable, false);
  assert.ok(!e.message.includes('hunter2'));
  assert.ok(!isMaskinportenError(new Error('x')) && !isMaskinportenError('wrong_password'));
});

test('Java keystores: JKS with a separate key password, and a JKS given to fromPkcs12', () => {
  const stores = join(VECTORS, '..', '..', 'core', 'tests', 'fixtures', 'jks'); // keytool-made (make.sh)
  const expected = Key.fromPkcs12(P12, PASSWORD).fingerprint;
  const oneKey = readFileSync(join(stores, 'one-key.jks'));
  assert.equal(Key.fromJks(oneKey, 'fixture-pw', 'VIRKSOMHETSSERTIFIKAT').fingerprint, expected);
  assert.equal(Key.fromPkcs12(oneKey, 'fixture-pw').fingerprint, expected);
  const separate = readFileSync(join(stores, 'key-password.jks'));
  assert.equal(caughtSync(() => Key.fromJks(separate, 'fixture-pw')).code, 'wrong_key_password');
  const wrong = caughtSync(() => Key.fromJks(separate, 'not-it', undefined, 'key-pw-2'));
  assert.equal(wrong.code, 'wrong_password');
  assert.ok(!wrong.message.includes('key-pw-2') && !wrong.message.includes('fixture-pw'));
  assert.equal(Key.fromJks(separate, 'fixture-pw', undefined, 'key-pw-2').fingerprint, expected);
});

test('garbage key bytes and non-objects give typed errors, never a panic', () => {
  const e = caughtSync(() => Key.fromPkcs12(new Uint8Array([0x30, 0x82, 1, 2, 3]), 'x'));
  assert.ok(isMaskinportenError(e) && ['invalid_key', 'wrong_password'].includes(e.code), e.code);
  const j = caughtSync(() => Key.fromJwk('{"kty":"RSA"'));
  assert.equal(j.code, 'invalid_key');
  const p = caughtSync(() => Key.fromPem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'));
  assert.equal(p.code, 'invalid_key');
});

test('key description and certificate details carry no private material', () => {
  const key = Key.fromPkcs12(P12, PASSWORD);
  const der = key.privateKeyPkcs8Der();
  assert.ok(der instanceof Uint8Array && der.length > 600);
  const b64 = Buffer.from(der).toString('base64');
  assert.ok(!String(key).includes(b64.slice(40, 80)));
  assert.ok(key.canSign);
  assert.equal(Key.fromExternal(readVector('keys/client.cert.pem', 'utf8')).canSign, false);
  assert.equal(key.certificate.orgNumber, '311000004');
  assert.equal(typeof key.certificate.notAfter, 'number');
  assert.equal(key.certificateChainDer().length >= 1, true);
  assert.equal(key.publicJwk().kty, 'RSA');
  assert.equal(key.publicJwk().d, undefined);
});

test('unknown grant options, bad types and fractional times are argument errors', () => {
  const client = fixedClient({ signer: 'wasm' });
  const typo = caughtSync(() => client.grantSync({ scopes: ['test:scope.read'], consumerOrgno: '312000008' }));
  assert.equal(typo.field, 'options');
  assert.match(typo.message, /consumerOrgno/);
  const type = caughtSync(() => client.grantSync({ scopes: [1] }));
  assert.equal(type.code, 'invalid_argument');
  assert.equal(type.field, 'scopes');
  const now = caughtSync(() => client.grantSync({ scopes: ['test:scope.read'], now: 1.5 }));
  assert.equal(now.code, 'invalid_now');
  const env = caughtSync(() => new Client({ clientId: X5C_CLIENT, key: loadKey(x5cCase.key), environment: 'staging' }));
  assert.equal(env.code, 'invalid_environment');
  const lifetime = caughtSync(() => fixedClient({ lifetime: 500 }));
  assert.equal(lifetime.code, 'invalid_lifetime');
});

test('defaults: now from the clock and a fresh UUID jti per grant', async () => {
  const client = fixedClient();
  const before = Math.floor(Date.now() / 1000);
  const a = decodeJwt(await client.grant({ scopes: ['test:scope.read'] })).claims;
  const b = decodeJwt(client.grantSync({ scopes: ['test:scope.read'] })).claims;
  assert.ok(a.iat >= before && a.iat <= before + 5);
  assert.equal(a.exp - a.iat, 120);
  assert.match(a.jti, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a.jti, b.jti);
});

test('two-step external signing with node:crypto gives the vector JWT', () => {
  const client = new Client({
    clientId: X5C_CLIENT,
    key: Key.fromExternal(readVector('keys/client.cert.pem', 'utf8')),
    environment: x5cCase.client.environment,
  });
  const prepared = client.prepareGrant(grantOptions(x5cCase.grant, x5cCase.now, x5cCase.jti));
  assert.equal(prepared.algorithm, 'RS256');
  const pem = createPrivateKey(readVector('keys/client.key.pem', 'utf8'));
  const signature = nodeSign('sha256', Buffer.from(prepared.signingInput, 'ascii'), pem);
  assert.equal(prepared.finish(signature), x5cCase.expected.jwt);
  const again = caughtSync(() => prepared.finish(signature));
  assert.ok(isMaskinportenError(again));
});

test('a wrong external signature is caught before it reaches Maskinporten', () => {
  const client = new Client({ clientId: X5C_CLIENT, key: Key.fromExternal(readVector('keys/client.cert.pem', 'utf8')), environment: 'test' });
  const prepared = client.prepareGrant({ scopes: ['test:scope.read'] });
  const other = createPrivateKey(readVector('keys/other.key.pem', 'utf8'));
  const e = caughtSync(() => prepared.finish(nodeSign('sha256', Buffer.from(prepared.signingInput), other)));
  assert.equal(e.code, 'invalid_signature');
});

test('a user-supplied CryptoKey signs through WebCrypto', async () => {
  const der = createPrivateKey(readVector('keys/client.key.pem', 'utf8')).export({ format: 'der', type: 'pkcs8' });
  const cryptoKey = await webcrypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  const client = new Client({
    clientId: X5C_CLIENT,
    key: Key.fromExternal(readVector('keys/client.cert.pem', 'utf8')),
    environment: x5cCase.client.environment,
    cryptoKey,
  });
  assert.equal(client.signer, 'webcrypto');
  assert.equal(await client.grant(grantOptions(x5cCase.grant, x5cCase.now, x5cCase.jti)), x5cCase.expected.jwt);
});

test('a user-supplied CryptoKey of another key is caught (its signatures are verified)', async () => {
  const der = createPrivateKey(readVector('keys/other.key.pem', 'utf8')).export({ format: 'der', type: 'pkcs8' });
  const cryptoKey = await webcrypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  const client = new Client({ clientId: X5C_CLIENT, key: Key.fromExternal(readVector('keys/client.cert.pem', 'utf8')), environment: 'test', cryptoKey });
  const e = await caught(client.grant({ scopes: ['test:scope.read'] }));
  assert.equal(e.code, 'invalid_signature');
});

test('a prepared grant is finished once; the platform signer\'s unverified finish is not public', () => {
  const client = new Client({ clientId: X5C_CLIENT, key: Key.fromExternal(readVector('keys/client.cert.pem', 'utf8')), environment: 'test' });
  const prepared = client.prepareGrant(grantOptions(x5cCase.grant, x5cCase.now, x5cCase.jti));
  assert.equal(prepared.finishUnverified, undefined);
  for (const bad of [new Uint8Array(0), new Uint8Array(256)]) {
    const e = caughtSync(() => client.prepareGrant({ scopes: ['test:scope.read'] }).finish(bad));
    assert.equal(e.code, 'invalid_signature');
  }
});

test('an external key without a signer cannot grant', async () => {
  const client = new Client({ clientId: X5C_CLIENT, key: Key.fromExternal(readVector('keys/client.cert.pem', 'utf8')), environment: 'test' });
  assert.equal(client.signer, 'wasm');
  const e = await caught(client.grant({ scopes: ['test:scope.read'] }));
  assert.equal(e.code, 'missing_signing_key');
});

test('environments: names, issuer URLs, metadata', () => {
  assert.equal(Environment.test().issuer, 'https://test.maskinporten.no/');
  assert.equal(Environment.prod().tokenEndpoint, 'https://maskinporten.no/token');
  assert.equal(Environment.fromName('http://127.0.0.1:9/').tokenEndpoint, 'http://127.0.0.1:9/token');
  const req = Environment.metadataRequest('https://test.maskinporten.no/');
  assert.equal(req.url, 'https://test.maskinporten.no/.well-known/oauth-authorization-server');
  const env = Environment.fromMetadata(JSON.stringify({
    issuer: 'https://test.maskinporten.no/', token_endpoint: 'https://test.maskinporten.no/token',
    jwks_uri: 'https://test.maskinporten.no/jwk',
  }));
  assert.equal(env.jwksUri, 'https://test.maskinporten.no/jwk');
  assert.equal(caughtSync(() => Environment.fromName('http://example.com/')).code, 'invalid_environment');
});

/** A fake fetch that answers token requests from a queue and records them. */
function fakeTokenEndpoint(answers) {
  const calls = [];
  let release;
  const gate = new Promise((r) => { release = r; });
  const fake = async (url, init) => {
    calls.push({ url, init });
    await gate;
    const next = answers.length > 1 ? answers.shift() : answers[0];
    if (next instanceof Error) throw next;
    return new Response(next.body, { status: next.status, headers: { 'content-type': next.type ?? 'application/json' } });
  };
  return { fake, calls, release };
}

test('TokenProvider: concurrent callers share one token request', async () => {
  const { fake, calls, release } = fakeTokenEndpoint([{ status: 200, body: okBody('shared-token') }]);
  const provider = new TokenProvider({ client: fixedClient(), fetch: fake });
  const waiting = Array.from({ length: 20 }, () => provider.token({ scopes: ['test:scope.read'] }));
  await new Promise((r) => setImmediate(r));
  release();
  const tokens = await Promise.all(waiting);
  assert.equal(calls.length, 1);
  assert.ok(tokens.every((t) => t.accessToken === 'shared-token'));
  const body = new URLSearchParams(calls[0].init.body);
  assert.equal(body.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
  assert.equal(decodeJwt(body.get('assertion')).claims.iss, X5C_CLIENT);
  assert.equal(calls[0].init.method, 'POST');
  // A cached token needs no request; different options need their own.
  await provider.token({ scopes: ['test:scope.read'] });
  assert.equal(calls.length, 1);
  await provider.token({ scopes: ['test:scope.write'] });
  assert.equal(calls.length, 2);
});

test('TokenProvider: refreshes ahead of expiry; callers meanwhile get the valid token', async () => {
  let now = x5cCase.now * 1000;
  const { fake, calls, release } = fakeTokenEndpoint([{ status: 200, body: okBody('first', 120) }, { status: 200, body: okBody('second', 120) }]);
  release();
  const provider = new TokenProvider({ client: fixedClient(), fetch: fake, now: () => now });
  assert.equal((await provider.token({ scopes: ['test:scope.read'] })).accessToken, 'first');
  now += 100_000; // inside the refresh window (the last 30 s), still valid
  const refreshing = provider.token({ scopes: ['test:scope.read'] });
  const meanwhile = provider.token({ scopes: ['test:scope.read'] });
  assert.equal((await meanwhile).accessToken, 'first', 'a caller during the refresh gets the valid token at once');
  assert.equal((await refreshing).accessToken, 'second', 'the refreshing caller gets the new token');
  assert.equal(calls.length, 2);
  assert.equal((await provider.token({ scopes: ['test:scope.read'] })).accessToken, 'second');
  assert.equal(calls.length, 2);
});

test('TokenProvider: OAuth errors reach every waiter, with MP code; the next call tries again', async () => {
  const refusal = { status: 400, body: JSON.stringify({ error: 'invalid_scope', error_description: 'MP-200: Invalid scope' }) };
  const { fake, calls, release } = fakeTokenEndpoint([refusal, { status: 200, body: okBody('after') }]);
  const provider = new TokenProvider({ client: fixedClient(), fetch: fake });
  const both = [provider.token({ scopes: ['test:scope.read'] }), provider.token({ scopes: ['test:scope.read'] })];
  await new Promise((r) => setImmediate(r));
  release();
  const results = await Promise.allSettled(both);
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    assert.equal(r.reason.code, 'oauth_error');
    assert.equal(r.reason.mpCode, 'MP-200');
    assert.equal(r.reason.error, 'invalid_scope');
    assert.equal(r.reason.status, 400);
    assert.equal(r.reason.retryable, false);
  }
  assert.equal(calls.length, 1);
  assert.equal((await provider.token({ scopes: ['test:scope.read'] })).accessToken, 'after');
});

test('TokenProvider: retries a 503 with a fresh grant after the core\'s back-off, then gives up with a retryable error', async () => {
  const unavailable = { status: 503, body: '<html>busy</html>', type: 'text/html' };
  const sleeps = [];
  let now = Date.now();
  const sleep = async (ms) => { sleeps.push(ms); now += ms; };
  const a = fakeTokenEndpoint([unavailable, { status: 200, body: okBody('recovered') }]);
  a.release();
  const once = new TokenProvider({ client: fixedClient(), fetch: a.fake, sleep, now: () => now, jitter: () => 1 });
  assert.equal((await once.token({ scopes: ['test:scope.read'] })).accessToken, 'recovered');
  assert.equal(a.calls.length, 2);
  assert.deepEqual(sleeps, [200]);
  // Each attempt carries a fresh grant (a new jti).
  const jti = (c) => decodeJwt(new URLSearchParams(c.init.body).get('assertion')).claims.jti;
  assert.notEqual(jti(a.calls[0]), jti(a.calls[1]));

  const b = fakeTokenEndpoint([unavailable]);
  b.release();
  const never = new TokenProvider({ client: fixedClient(), fetch: b.fake, sleep, now: () => now, maxAttempts: 2 });
  const e = await caught(never.token({ scopes: ['test:scope.read'] }));
  assert.equal(e.retryable, true);
  assert.equal(e.status, 503);
  assert.equal(b.calls.length, 2);
});

test('TokenProvider: transport failures are unavailable errors, by kind', async () => {
  const failures = [
    [new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }), /could not connect .*ECONNREFUSED/],
    [new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }), /the connection broke/],
    [new TypeError('fetch failed', { cause: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' } }), /TLS handshake failed/],
    [new DOMException('timed out', 'TimeoutError'), /timed out/],
    [new Error('odd'), /the request failed/],
  ];
  for (const [error, message] of failures) {
    const provider = new TokenProvider({ client: fixedClient(), fetch: async () => { throw error; }, maxAttempts: 1 });
    const e = await caught(provider.token({ scopes: ['test:scope.read'] }));
    assert.equal(e.code, 'unavailable');
    assert.equal(e.retryable, true);
    assert.match(e.message, message);
  }
});

test('TokenProvider: an attempt that outlives attemptTimeoutMs is aborted and reported as a timeout', async () => {
  let aborted = 0;
  const slow = (url, init) => new Promise((_, reject) => {
    init.signal.addEventListener('abort', () => { aborted++; reject(init.signal.reason); });
  });
  const provider = new TokenProvider({ client: fixedClient(), fetch: slow, maxAttempts: 1, attemptTimeoutMs: 50 });
  const e = await caught(provider.token({ scopes: ['test:scope.read'] }));
  assert.equal(aborted, 1);
  assert.equal(e.code, 'unavailable');
  assert.match(e.message, /timed out/);
});

test('TokenProvider: an aborted caller releases the fetch; the next caller fetches', async () => {
  const pending = [];
  const hanging = (url, init) => new Promise((resolve, reject) => {
    pending.push(resolve);
    init.signal.addEventListener('abort', () => reject(init.signal.reason));
  });
  const events = [];
  const provider = new TokenProvider({ client: fixedClient(), fetch: hanging, onEvent: (e) => events.push(e.event) });
  const controller = new AbortController();
  const first = provider.token({ scopes: ['test:scope.read'] }, { signal: controller.signal });
  const waiter = provider.token({ scopes: ['test:scope.read'] });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(pending.length, 1, 'one request while the waiter waits');
  controller.abort();
  await assert.rejects(first, (e) => e.name === 'AbortError');
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(pending.length, 2, 'the waiter took over the fetch');
  pending[1](new Response(okBody('taken-over'), { status: 200, headers: { 'content-type': 'application/json' } }));
  assert.equal((await waiter).accessToken, 'taken-over');
  assert.ok(events.includes('fetch_cancelled'), events.join());
});

test('TokenProvider: a key that cannot sign is refused at construction', () => {
  const client = new Client({ clientId: X5C_CLIENT, key: Key.fromExternal(readVector('keys/client.cert.pem', 'utf8')), environment: 'test' });
  const e = caughtSync(() => new TokenProvider({ client }));
  assert.equal(e.code, 'missing_signing_key');
});

test('authorizedFetch adds the bearer token; a 401 is reported and the request sent once more with a new token', async () => {
  let issued = 0;
  const tokenFetch = async () => new Response(okBody(`token-${++issued}`), { status: 200, headers: { 'content-type': 'application/json' } });
  const events = [];
  const provider = new TokenProvider({ client: fixedClient(), fetch: tokenFetch, onEvent: (e) => events.push(e) });
  const seen = [];
  const api = async (input, init) => {
    seen.push({ auth: new Headers(init.headers).get('authorization'), body: init.body, custom: new Headers(init.headers).get('x-custom') });
    return new Response('', { status: seen.length === 1 ? 401 : 200 });
  };
  const apiFetch = authorizedFetch(provider, { scopes: ['test:scope.read'] }, { fetch: api });
  const res = await apiFetch('https://api.example/x', { method: 'POST', body: 'payload', headers: { 'x-custom': '1' } });
  assert.equal(res.status, 200);
  assert.deepEqual(seen, [
    { auth: 'Bearer token-1', body: 'payload', custom: '1' },
    { auth: 'Bearer token-2', body: 'payload', custom: '1' },
  ]);
  assert.deepEqual(events.filter((e) => e.event === 'token_rejected').map((e) => e.dropped), [true]);
  // A late 401 for a token that was already replaced does not throw the new one away.
  assert.equal(provider.reject({ scopes: ['test:scope.read'] }, 'token-1'), false);
  assert.equal((await provider.token({ scopes: ['test:scope.read'] })).accessToken, 'token-2');
  assert.equal(issued, 2);
  // A second 401 is returned, not retried forever.
  const always401 = async () => new Response('', { status: 401 });
  const res2 = await authorizedFetch(provider, { scopes: ['test:scope.read'] }, { fetch: always401 })('https://api.example/y');
  assert.equal(res2.status, 401);
});

test('onEvent gets the flow\'s events; a throwing callback does not break the call', async () => {
  const events = [];
  const { fake, release } = fakeTokenEndpoint([{ status: 200, body: okBody('tok') }]);
  release();
  const provider = new TokenProvider({ client: fixedClient(), fetch: fake, onEvent: (e) => { events.push(e); throw new Error('logger down'); } });
  await provider.token({ scopes: ['test:scope.read'] });
  await provider.token({ scopes: ['test:scope.read'] });
  assert.deepEqual(events.map((e) => [e.event, e.level]), [['fetch_started', 'debug'], ['fetch_succeeded', 'info'], ['cache_hit', 'debug']]);
  assert.match(events[1].message, /token received in \d+ ms/);
  assert.equal(events[1].attempt, 1);
  assert.equal(events[1].expires_in, 120);
  assert.match(events[0].key, /^[\w-]{6,}$/);
});

test('a CryptoKey that cannot sign is a MaskinportenError, not a DOMException', async () => {
  const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const client = new Client({ clientId: X5C_CLIENT, key: Key.fromExternal(undefined, 'some-kid'), environment: 'test', cryptoKey: pair.privateKey });
  const e = await caught(client.grant({ scopes: ['test:scope.read'] }));
  assert.ok(isMaskinportenError(e), String(e));
  assert.equal(e.code, 'invalid_key');
  assert.equal(e.field, 'cryptoKey');
});
