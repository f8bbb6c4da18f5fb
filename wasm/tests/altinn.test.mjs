// Altinn tokens end to end: the installed package's TokenProvider with its `altinn` option against
// the simulator's Altinn platform (`/altinn`; its tokens live 60 s in e2e.toml): both stages, the
// cached token reused, a due one refreshed, an API's 401, and each error status typed.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Key, TokenProvider, authorizedFetch, isMaskinportenError } from 'maskinporten';
import { startSimulator, readVector, decodeJwt } from './helpers.mjs';

const X5C_CLIENT = '5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d';
const EXCHANGE_PATH = '/altinn/authentication/api/v1/exchange/maskinporten';

let sim;
let key;

before(async () => {
  sim = await startSimulator();
  key = Key.fromPkcs12(readVector('keys/client.p12'), 'vector-password');
});
after(() => sim?.stop());
beforeEach(async () => {
  await sim.admin('/_sim/faults', { method: 'DELETE' });
  await sim.admin('/_sim/reset', { method: 'POST' });
});

/** A provider whose clock runs `ahead.ms` ahead of the real one (the simulator keeps real time). */
function provider(ahead = { ms: 0 }) {
  const client = new Client({ clientId: X5C_CLIENT, key, environment: sim.issuer });
  return new TokenProvider({ client, initialBackoffMs: 10, maxBackoffMs: 20, now: () => Date.now() + ahead.ms });
}
const stats = () => sim.admin('/_sim/stats');
const fault = (status, count) => sim.admin('/_sim/faults', {
  method: 'POST', body: JSON.stringify({ kind: 'status', status, count, path: EXCHANGE_PATH }),
});

test('an Altinn token: both stages, cached, refreshed when due, dropped after an API 401', async () => {
  const ahead = { ms: 0 };
  const p = provider(ahead);
  const options = { scopes: ['altinn:instances.read'], altinn: { platform: sim.altinnPlatform } };
  const first = await p.token(options);
  const claims = decodeJwt(first.accessToken).claims;
  assert.equal(claims['urn:altinn:orgNumber'], '311000004');
  assert.equal(claims['urn:altinn:authenticatemethod'], 'maskinporten');
  assert.ok(first.expiresIn > 50 && first.expiresIn <= 60, `the Altinn token's own exp: ${first.expiresIn}`);
  let s = await stats();
  assert.deepEqual([s.tokens_issued, s.altinn_tokens_issued], [1, 1]);

  // Cached (the same options as a new object too); the Maskinporten token is shared with plain callers.
  assert.equal((await p.token({ ...options, altinn: { platform: sim.altinnPlatform } })).accessToken, first.accessToken);
  assert.notEqual((await p.token({ scopes: options.scopes })).accessToken, first.accessToken);
  assert.equal((await stats()).tokens_issued, 1, 'the exchange\'s Maskinporten token is shared');

  // 40 s later the Altinn token is due, the Maskinporten token is not: only the exchange again.
  ahead.ms = 40_000;
  const refreshed = await p.token(options);
  assert.notEqual(refreshed.accessToken, first.accessToken);
  s = await stats();
  assert.deepEqual([s.tokens_issued, s.altinn_tokens_issued], [1, 2]);

  assert.equal(p.reject(options, refreshed), true);
  assert.equal(p.reject(options, refreshed), false, 'already dropped');
  const after = await p.token(options);
  assert.notEqual(after.accessToken, refreshed.accessToken);
  assert.equal((await stats()).altinn_tokens_issued, 3);

  // authorizedFetch carries the Altinn token and handles an API's 401 the same way.
  const seen = [];
  const api = authorizedFetch(p, options, {
    fetch: async (_url, init) => {
      seen.push(new Headers(init.headers).get('authorization'));
      return new Response('', { status: seen.length === 1 ? 401 : 200 });
    },
  });
  assert.equal((await api('https://api.example/')).status, 200);
  assert.equal(seen[0], `Bearer ${after.accessToken}`);
  assert.notEqual(seen[1], seen[0]);
});

test('the test organisation on a platform that allows it', async () => {
  const token = await provider().token({ scopes: ['altinn:serviceowner'], altinn: { platform: sim.altinnPlatform, testOrg: true } });
  assert.equal(decodeJwt(token.accessToken).claims['urn:altinn:org'], 'ttd');
  // No platform is known for the simulator's issuer: `altinn: true` needs test or prod.
  await assert.rejects(provider().token({ scopes: ['altinn:serviceowner'], altinn: true }), (e) => e.code === 'invalid_environment');
});

test('each error status is typed', async () => {
  const p = provider();
  const altinn = { platform: sim.altinnPlatform };
  const options = { scopes: ['altinn:instances.read'], altinn };
  const refused = async (o = options) => {
    const e = await p.token(o).then(() => assert.fail('expected a refusal'), (x) => x);
    assert.ok(isMaskinportenError(e), String(e));
    return [e.code, e.status, e.retryable];
  };
  // 403 from the platform itself: the Maskinporten token has no Altinn scope.
  assert.deepEqual(await refused({ scopes: ['test:scope.read'], altinn }), ['altinn_forbidden', 403, false]);
  await fault(400, 1);
  assert.deepEqual(await refused(), ['altinn_exchange_invalid', 400, false]);
  await fault(410, 1);
  assert.deepEqual(await refused(), ['altinn_exchange_invalid', 410, false]);
  // 401 twice: a new Maskinporten token once, then the typed error.
  const issued = (await stats()).tokens_issued;
  await fault(401, 2);
  assert.deepEqual(await refused(), ['altinn_token_rejected', 401, false]);
  assert.equal((await stats()).tokens_issued, issued + 1, 'renewed once after the first 401');
  // 429 and 503 are retried; four in a row exhaust the attempts.
  await fault(429, 1);
  await fault(503, 1);
  const before = (await stats()).altinn_requests;
  const token = await p.token(options);
  assert.equal((await stats()).altinn_requests, before + 3);
  p.reject(options, token);
  await fault(503, 4);
  assert.deepEqual(await refused(), ['unavailable', 503, true]);
});
