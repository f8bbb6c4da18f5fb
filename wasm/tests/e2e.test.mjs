// End to end: the installed package against the simulator over loopback, with the fetch
// provider (Node's own fetch), including delegation, RAR and injected faults.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Client, Key, TokenProvider, TokenValidator, authorizedFetch, isMaskinportenError } from 'maskinporten';
import { startSimulator, readVector, decodeJwt } from './helpers.mjs';

const X5C_CLIENT = '5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d';
const KID_CLIENT = 'a7c9e1f3-2b4d-4c6e-8f0a-1b3c5d7e9f20';
const SUPPLIER = '311000004';
const CONSUMER = '312000008';
const SYSTEM_USER_ORG = '313000001';
const READ = { scopes: ['test:scope.read'] };

let sim;
let x5cKey;
let jwkKey;

before(async () => {
  sim = await startSimulator();
  x5cKey = Key.fromPkcs12(readVector('keys/client.p12'), 'vector-password');
  jwkKey = Key.fromJwk(readVector('keys/client.jwk.json', 'utf8'));
});
after(() => sim?.stop());
beforeEach(async () => {
  await sim.admin('/_sim/faults', { method: 'DELETE' });
  await sim.admin('/_sim/reset', { method: 'POST' });
});

const x5cClient = (extra = {}) => new Client({ clientId: X5C_CLIENT, key: x5cKey, environment: sim.issuer, ...extra });
const provider = (client, extra = {}) => new TokenProvider({ client, initialBackoffMs: 10, ...extra });
const claimsOf = (token) => decodeJwt(token.accessToken).claims;

test('x5c client (PKCS#12, node:crypto) gets a token; the cache serves it again', async () => {
  const p = provider(x5cClient());
  const token = await p.token(READ);
  assert.equal(token.tokenType, 'Bearer');
  assert.equal(token.scope, 'test:scope.read');
  assert.ok(token.expiresAt > Date.now() / 1000);
  const claims = claimsOf(token);
  assert.equal(claims.client_id, X5C_CLIENT);
  assert.equal(claims.consumer.ID, `0192:${SUPPLIER}`);
  assert.equal((await p.token(READ)).accessToken, token.accessToken);
  const stats = await sim.admin('/_sim/stats');
  assert.equal(stats.tokens_issued, 1);
});

test('x5c client with WebCrypto signing gets a token', async () => {
  const token = await provider(x5cClient({ signer: 'webcrypto' })).token(READ);
  assert.equal(claimsOf(token).client_id, X5C_CLIENT);
});

test('kid client (JWK) with the pure-WASM signer and RS512', async () => {
  const client = new Client({ clientId: KID_CLIENT, key: jwkKey, environment: sim.issuer, signer: 'wasm', algorithm: 'RS512' });
  assert.equal(client.signer, 'wasm');
  const token = await provider(client).token({ scopes: ['test:scope.write'] });
  assert.equal(claimsOf(token).client_id, KID_CLIENT);
});

test('fifty concurrent callers cause one token request', async () => {
  const p = provider(x5cClient());
  const tokens = await Promise.all(Array.from({ length: 50 }, () => p.token(READ)));
  assert.equal(new Set(tokens.map((t) => t.accessToken)).size, 1);
  const stats = await sim.admin('/_sim/stats');
  assert.equal(stats.tokens_issued, 1);
  assert.equal(stats.requests, 1);
});

test('delegation: a supplier acting for a consumer (consumer_org)', async () => {
  const token = await provider(x5cClient()).token({ scopes: ['brreg:reelle/rapporteringspliktig'], consumerOrg: CONSUMER });
  const claims = claimsOf(token);
  assert.equal(claims.consumer.ID, `0192:${CONSUMER}`);
  assert.equal(claims.supplier.ID, `0192:${SUPPLIER}`);
  assert.ok(claims.delegation_source);
});

test('delegation that was never given is refused with an MP code', async () => {
  const e = await provider(x5cClient()).token({ scopes: ['test:scope.read'], consumerOrg: CONSUMER }).catch((x) => x);
  assert.ok(isMaskinportenError(e), String(e));
  assert.equal(e.code, 'oauth_error');
  assert.match(e.mpCode ?? '', /^MP-\d{3}$/);
  assert.equal(e.retryable, false);
});

test('RAR: an Altinn system user in authorization_details', async () => {
  const details = [{ type: 'urn:altinn:systemuser', systemuser_org: { authority: 'iso6523-actorid-upis', ID: `0192:${SYSTEM_USER_ORG}` } }];
  const token = await provider(x5cClient()).token({ scopes: ['test:scope.read'], authorizationDetails: details });
  const claims = claimsOf(token);
  assert.ok(Array.isArray(claims.authorization_details));
  assert.equal(claims.authorization_details[0].type, 'urn:altinn:systemuser');
});

test('an unregistered scope is refused: oauth_error MP-200 invalid_scope', async () => {
  const e = await provider(x5cClient()).token({ scopes: ['test:not.registered'] }).catch((x) => x);
  assert.equal(e.code, 'oauth_error');
  assert.equal(e.error, 'invalid_scope');
  assert.equal(e.mpCode, 'MP-200');
  assert.equal(e.status, 400);
});

test('fault: one 503 is retried after the core\'s back-off and the token arrives', async () => {
  await sim.admin('/_sim/faults', { method: 'POST', body: JSON.stringify({ kind: 'status', status: 503, count: 1 }) });
  const events = [];
  const token = await provider(x5cClient(), { onEvent: (e) => events.push(e) }).token(READ);
  const retry = events.find((e) => e.event === 'retry_scheduled');
  assert.ok(retry, events.map((e) => e.event).join());
  assert.equal(retry.status, 503);
  assert.equal(retry.kind, 'unavailable');
  assert.equal(token.tokenType, 'Bearer');
  const stats = await sim.admin('/_sim/stats');
  assert.equal(stats.requests, 2);
  assert.equal(stats.tokens_issued, 1);
});

test('fault: HTML from a proxy is a retryable error with its status', async () => {
  await sim.admin('/_sim/faults', { method: 'POST', body: JSON.stringify({ kind: 'html', status: 502 }) });
  const e = await provider(x5cClient(), { maxAttempts: 1 }).token(READ).catch((x) => x);
  assert.ok(isMaskinportenError(e));
  assert.equal(e.status, 502);
  assert.equal(e.retryable, true);
  assert.ok(!e.message.includes('<html'.repeat(2)));
});

test('fault: a dropped connection is unavailable', async () => {
  await sim.admin('/_sim/faults', { method: 'POST', body: JSON.stringify({ kind: 'close' }) });
  const e = await provider(x5cClient(), { maxAttempts: 1 }).token(READ).catch((x) => x);
  assert.equal(e.code, 'unavailable');
  assert.equal(e.retryable, true);
});

test('fault: latency beyond the timeout is unavailable', async () => {
  await sim.admin('/_sim/faults', { method: 'POST', body: JSON.stringify({ kind: 'latency', latency_ms: 3000, count: 1 }) });
  const e = await provider(x5cClient(), { maxAttempts: 1, attemptTimeoutMs: 200 }).token(READ).catch((x) => x);
  assert.equal(e.code, 'unavailable');
  assert.equal(e.retryable, true);
});

test('authorizedFetch against an API that wants a fresh token once', async () => {
  const seen = [];
  const api = createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.statusCode = seen.length === 1 ? 401 : 200;
    res.end(seen.length === 1 ? '' : 'ok');
  });
  await new Promise((r) => api.listen(0, '127.0.0.1', r));
  try {
    const apiFetch = authorizedFetch(provider(x5cClient()), READ);
    const res = await apiFetch(`http://127.0.0.1:${api.address().port}/data`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ok');
    assert.equal(seen.length, 2);
    assert.match(seen[0], /^Bearer ey/);
    assert.notEqual(seen[0], seen[1]);
    assert.equal((await sim.admin('/_sim/stats')).tokens_issued, 2);
  } finally {
    api.close();
  }
});

test('validator: simulator-issued tokens validate against the simulator JWKS (delegation, RAR)', async () => {
  const p = provider(x5cClient());
  const v = new TokenValidator({ environment: sim.issuer });
  const delegated = await p.token({ scopes: ['brreg:reelle/rapporteringspliktig'], consumerOrg: CONSUMER });
  const t = await v.validate(`Bearer ${delegated.accessToken}`, { scopes: ['brreg:reelle/rapporteringspliktig'] });
  assert.equal(t.consumerOrg, CONSUMER);
  assert.equal(t.supplier.orgNumber, SUPPLIER);
  assert.equal(t.clientId, X5C_CLIENT);
  assert.ok(t.expiresAt > Date.now() / 1000);
  const details = [{ type: 'urn:altinn:systemuser', systemuser_org: { authority: 'iso6523-actorid-upis', ID: `0192:${SYSTEM_USER_ORG}` } }];
  const rar = await p.token({ scopes: ['test:scope.read'], authorizationDetails: details });
  const r = await v.validate(rar.accessToken, { scopes: ['test:scope.read'] });
  assert.equal(r.authorizationDetails[0].type, 'urn:altinn:systemuser');
  assert.equal(r.authorizationDetails[0].org.orgNumber, SYSTEM_USER_ORG);
  const e = await v.validate(rar.accessToken, { scopes: ['test:scope.write'] }).catch((x) => x);
  assert.equal(e.code, 'insufficient_scope');
  const wrongIssuer = new TokenValidator({ environment: 'test', fetch: async () => new Response(await (await fetch(`${sim.issuer}jwk`)).text()) });
  const w = await wrongIssuer.validate(rar.accessToken, { scopes: ['test:scope.read'] }).catch((x) => x);
  assert.equal(w.code, 'issuer_mismatch');
});
