// Issue 7, JS part: the validator through the installed package. Validation vectors, the JWKS
// fetch adapter with a fake fetch, the Express-style middleware and the fetch-Request helper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { webcrypto, createPublicKey } from 'node:crypto';
import { TokenValidator, Validator, Environment, expressMiddleware, validateRequest, isMaskinportenError } from 'maskinporten';
import { vectorFile, readVector } from './helpers.mjs';

const doc = vectorFile('validation.json');
const jwks = readVector(doc.jwks_file, 'utf8');
const valid = doc.cases.find((c) => c.name === 'valid');
const other = doc.cases.find((c) => c.name === 'unknown_kid');

const requirementsOf = (r) => ({
  scopes: r.scopes,
  scopeMatch: r.scope_match,
  ...(r.audience != null ? { audience: r.audience } : {}),
  requirePid: r.require_pid,
  consumerOrgs: r.consumer_orgs,
});

function loaded(at = valid.now, extra = {}) {
  // The vector tokens are valid at the vectors' `now`, not today: pin the clock.
  const v = new TokenValidator({ environment: doc.issuer, fetch: async () => assert.fail('no fetch expected'), now: () => at, ...extra });
  v.updateJwks(jwks, at);
  return v;
}

function checkValid(t, c) {
  assert.equal(t.consumerOrg, c.expected.consumer_org);
  assert.equal(t.consumer.orgNumber, c.expected.consumer_org);
  assert.deepEqual(t.consumer.subUnit, c.expected.consumer_sub_unit);
  assert.equal(t.supplier?.orgNumber ?? null, c.expected.supplier_org);
  assert.equal(t.clientId, c.expected.client_id);
  assert.equal(t.expiresAt, c.expected.expires_at);
  assert.equal(typeof t.claims, 'object');
  assert.equal(t.claims.client_id, c.expected.client_id);
  assert.equal(t.authorizationDetails.length, (t.claims.authorization_details ?? []).length);
  for (const d of t.authorizationDetails) assert.match(d.type, /^(urn:altinn:systemuser|urn:altinn:consent|other)$/);
}

function checkError(e, c) {
  assert.ok(isMaskinportenError(e), String(e));
  assert.equal(e.code, c.expected_error);
  // The token is never echoed.
  if (c.token.length > 40) assert.ok(!e.message.includes(c.token.slice(0, 40)));
  return true;
}

test('there are validation vectors', () => {
  assert.ok(doc.cases.length > 10 && valid && other);
});

for (const c of doc.cases) {
  test(`validation vector ${c.name}: WebAssembly verifier (validateSync)`, () => {
    const run = () => loaded().validateSync(c.token, requirementsOf(c.requirements), c.now);
    if (c.expected) checkValid(run(), c);
    else assert.throws(run, (e) => checkError(e, c));
  });

  for (const verifier of ['webcrypto', 'wasm']) {
    test(`validation vector ${c.name}: validate() with verifier ${verifier}`, async () => {
      // JWKS loaded at the case's own time, so the adapter has nothing to fetch.
      const v = loaded(c.now, { verifier });
      assert.equal(v.verifier, verifier);
      const run = () => v.validate(c.token, requirementsOf(c.requirements));
      if (c.expected) {
        checkValid(await run(), c);
        checkValid(await run(), c); // again, with the CryptoKey cached
      } else {
        await assert.rejects(run(), (e) => checkError(e, c));
      }
    });
  }
}

test('the two-step Validator API: prepare, verify in WebCrypto, finish', async () => {
  const validator = new Validator(Environment.fromName(doc.issuer));
  validator.updateJwks(jwks, valid.now);
  assert.equal(validator.hasJwks, true);
  const pending = validator.prepareValidation(valid.token, valid.now, requirementsOf(valid.requirements));
  const jwk = pending.publicJwk();
  assert.equal(jwk.kty, 'RSA');
  assert.equal(pending.algorithm, 'RS256');
  assert.equal(pending.webCryptoHash, 'SHA-256');
  assert.equal(pending.kid, JSON.parse(Buffer.from(valid.token.split('.')[0], 'base64url')).kid);
  const key = await webcrypto.subtle.importKey('jwk', jwk, { name: 'RSASSA-PKCS1-v1_5', hash: pending.webCryptoHash }, false, ['verify']);
  const ok = await webcrypto.subtle.verify('RSASSA-PKCS1-v1_5', key, pending.signature(), pending.signingInputBytes());
  assert.equal(ok, true);
  // The host's verdict decides: a false one is the core's signature_invalid.
  const other = validator.prepareValidation(valid.token, valid.now, requirementsOf(valid.requirements));
  assert.throws(() => validator.finishValidation(other, false), (e) => e.code === 'signature_invalid');
  assert.equal(validator.finishValidation(pending, true).consumerOrg, valid.expected.consumer_org);
  // A pending validation is used once.
  assert.throws(() => validator.finishValidation(pending, true), (e) => isMaskinportenError(e));
  pending.free();
  other.free();
  validator.free();
});

test('claims checked while WebCrypto verifies: the signature verdict still comes first', () => {
  const expired = doc.cases.find((c) => c.name === 'expired');
  const validator = new Validator(Environment.fromName(doc.issuer));
  validator.updateJwks(jwks, expired.now);
  const answer = (token, now, verdict) => {
    const pending = validator.prepareValidation(token, now, requirementsOf(expired.requirements));
    try {
      validator.checkClaimsUnverified(pending);
      return validator.finishValidation(pending, verdict);
    } catch (e) {
      return e.code;
    } finally {
      pending.free();
    }
  };
  assert.equal(answer(expired.token, expired.now, false), 'signature_invalid');
  assert.equal(answer(expired.token, expired.now, true), 'token_expired');
  assert.equal(answer(valid.token, valid.now, false), 'signature_invalid');
  assert.equal(answer(valid.token, valid.now, true).consumerOrg, valid.expected.consumer_org);
});

test('a requirements object is converted once, and again when it changes', async () => {
  const v = loaded(valid.now);
  const requirements = { scopes: ['test:scope.read'] };
  assert.equal((await v.validate(valid.token, requirements)).consumerOrg, valid.expected.consumer_org);
  requirements.scopes = ['test:scope.admin'];
  await assert.rejects(v.validate(valid.token, requirements), (e) => e.code === 'insufficient_scope');
  assert.throws(() => v.validateSync(valid.token, requirements), (e) => e.code === 'insufficient_scope');
  requirements.scopes.push('test:scope.read');
  assert.equal((await v.validate(valid.token, requirements)).clientId, valid.expected.client_id);
  requirements.consumerOrgz = ['311000004'];
  await assert.rejects(v.validate(valid.token, requirements), (e) => isMaskinportenError(e) && e.field === 'requirements');
  // Not an object, or not JSON: converted on every call, with the same errors.
  await assert.rejects(v.validate(valid.token, undefined), (e) => isMaskinportenError(e) && e.field === 'requirements');
  const cyclic = { scopes: ['test:scope.read'] };
  cyclic.self = cyclic;
  await assert.rejects(v.validate(valid.token, cyclic), (e) => isMaskinportenError(e) && e.field === 'requirements');
});

test('tokens reach the core whatever their characters: Bearer prefix, non-ASCII, too long', async () => {
  const v = loaded(valid.now);
  const req = requirementsOf(valid.requirements);
  assert.equal((await v.validate(`Bearer ${valid.token}`, req)).consumerOrg, valid.expected.consumer_org);
  for (const token of [`${valid.token}ø`, `ø${valid.token}`, `${valid.token.slice(0, 30)}\ud800${valid.token.slice(31)}`]) {
    await assert.rejects(v.validate(token, req), (e) => e.code === 'token_malformed');
  }
  await assert.rejects(v.validate('ø'.repeat(9000), req), (e) => e.code === 'token_too_large');
  await assert.rejects(v.validate('a'.repeat(17000), req), (e) => e.code === 'token_too_large');
});

test('a new JWKS drops the cached CryptoKeys, also for a kid that stays the same', async () => {
  const rotated = doc.cases.find((c) => c.name === 'signed_by_another_key');
  const [publicJwk] = JSON.parse(jwks).keys;
  const otherJwk = createPublicKey(readVector('keys/other.key.pem', 'utf8')).export({ format: 'jwk' });
  const otherJwks = JSON.stringify({ keys: [{ ...otherJwk, kid: publicJwk.kid, alg: 'RS256', use: 'sig' }] });
  const v = loaded(valid.now);
  const req = requirementsOf(valid.requirements);
  assert.equal((await v.validate(valid.token, req)).consumerOrg, valid.expected.consumer_org);
  v.updateJwks(otherJwks, valid.now);
  assert.equal((await v.validate(rotated.token, req)).consumerOrg, valid.expected.consumer_org);
  await assert.rejects(v.validate(valid.token, req), (e) => e.code === 'signature_invalid');
  v.updateJwks(jwks, valid.now);
  assert.equal((await v.validate(valid.token, req)).consumerOrg, valid.expected.consumer_org);
});

test('a tampered signature fails in WebCrypto as in WebAssembly', async () => {
  const [h, p, sig] = valid.token.split('.');
  const bytes = Buffer.from(sig, 'base64url');
  bytes[10] ^= 1;
  const token = `${h}.${p}.${bytes.toString('base64url')}`;
  for (const verifier of ['webcrypto', 'wasm']) {
    const e = await loaded(valid.now, { verifier }).validate(token, requirementsOf(valid.requirements)).catch((x) => x);
    assert.equal(e.code, 'signature_invalid', verifier);
  }
});

test('verifier option: "wasm" and unknown values', () => {
  assert.equal(loaded(valid.now).verifier, 'webcrypto');
  const e = (() => { try { loaded(valid.now, { verifier: 'openssl' }); } catch (x) { return x; } })();
  assert.ok(isMaskinportenError(e));
  assert.equal(e.field, 'verifier');
});

function fakeJwks(body = jwks) {
  const calls = [];
  const fake = async (url, init) => {
    calls.push({ url, init });
    await new Promise((r) => setTimeout(r, 5));
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { fake, calls };
}

test('TokenValidator fetches the JWKS once on first use, for all concurrent callers', async () => {
  const { fake, calls } = fakeJwks();
  const v = new TokenValidator({ environment: doc.issuer, fetch: fake, now: () => valid.now });
  const results = await Promise.all(Array.from({ length: 10 }, () => v.validate(`Bearer ${valid.token}`, requirementsOf(valid.requirements))));
  assert.equal(calls.length, 1);
  assert.equal(calls[0].url, 'https://test.maskinporten.no/jwk');
  assert.ok(results.every((t) => t.consumerOrg === valid.expected.consumer_org));
  await v.validate(valid.token, requirementsOf(valid.requirements));
  assert.equal(calls.length, 1);
});

test('an unknown kid triggers one refetch, rate-limited', async () => {
  const { fake, calls } = fakeJwks();
  let now = valid.now;
  const v = new TokenValidator({ environment: doc.issuer, fetch: fake, now: () => now, minRefetchInterval: 60 });
  await v.validate(valid.token, requirementsOf(valid.requirements));
  assert.equal(calls.length, 1);
  now += 61;
  const e = await v.validate(other.token, requirementsOf(other.requirements)).catch((x) => x);
  assert.equal(e.code, 'unknown_kid');
  assert.equal(calls.length, 2, 'refetched once for the unknown kid');
  const again = await v.validate(other.token, requirementsOf(other.requirements)).catch((x) => x);
  assert.equal(again.code, 'unknown_kid');
  assert.equal(calls.length, 2, 'not again within minRefetchInterval');
});

test('a JWKS that cannot be fetched is a retryable error before any key is loaded', async () => {
  const v = new TokenValidator({ environment: doc.issuer, fetch: async () => new Response('no', { status: 502 }), now: () => valid.now });
  const e = await v.validate(valid.token, requirementsOf(valid.requirements)).catch((x) => x);
  assert.equal(e.code, 'unavailable');
  assert.equal(e.retryable, true);
});

test('after a failed JWKS fetch the core holds off refetching; loaded keys stay in use', async () => {
  let now = valid.now;
  let calls = 0;
  let fail = false;
  const fetchImpl = async () => {
    calls++;
    return fail ? new Response('down', { status: 503 }) : new Response(jwks, { status: 200 });
  };
  // The token is valid for 110 s after valid.now: the whole story fits in that window.
  const v = new TokenValidator({ environment: doc.issuer, fetch: fetchImpl, now: () => now, maxJwksAge: 60, minRefetchInterval: 30 });
  await v.validate(valid.token, requirementsOf(valid.requirements));
  assert.equal(calls, 1);
  fail = true;
  now += 61; // stale: the core asks for a refetch, which fails
  const t = await v.validate(valid.token, requirementsOf(valid.requirements));
  assert.equal(calls, 2);
  assert.equal(t.consumerOrg, valid.expected.consumer_org, 'the loaded keys stay in use');
  now += 20;
  await v.validate(valid.token, requirementsOf(valid.requirements));
  assert.equal(calls, 2, 'no refetch within minRefetchInterval of the failure');
  fail = false;
  now += 11;
  await v.validate(valid.token, requirementsOf(valid.requirements));
  assert.equal(calls, 3, 'refetched after minRefetchInterval');
});

test('with no JWKS and a failed fetch, callers get a retryable error without a fetch each', async () => {
  let now = valid.now;
  let calls = 0;
  const v = new TokenValidator({ environment: doc.issuer, fetch: async () => { calls++; throw new TypeError('fetch failed'); },
    now: () => now, minRefetchInterval: 60 });
  for (let i = 0; i < 3; i++) {
    const e = await v.validate(valid.token, requirementsOf(valid.requirements)).catch((x) => x);
    assert.equal(e.code, 'unavailable');
    assert.equal(e.retryable, true);
  }
  assert.equal(calls, 1);
  now += 61;
  await v.validate(valid.token, requirementsOf(valid.requirements)).catch(() => {});
  assert.equal(calls, 2);
});

test('unknown requirement names are argument errors', () => {
  const e = (() => { try { loaded().validateSync(valid.token, { scope: ['x'] }, valid.now); } catch (x) { return x; } })();
  assert.ok(isMaskinportenError(e));
  assert.equal(e.field, 'requirements');
});

test('expressMiddleware: 401 without a token, 403 without the scope, next() with req.maskinporten', async () => {
  const v = loaded();
  const seen = [];
  const handlers = {
    '/read': expressMiddleware(v, { scopes: ['test:scope.read'] }),
    '/admin': expressMiddleware(v, { scopes: ['test:scope.admin'] }),
  };
  const server = createServer((req, res) => {
    handlers[req.url](req, res, (err) => {
      if (err) { res.statusCode = 500; return res.end(); }
      seen.push(req.maskinporten);
      res.end(`hello ${req.maskinporten.consumerOrg}`);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    const none = await fetch(`${base}/read`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate'), /^Bearer error="invalid_token"/);
    const bad = await fetch(`${base}/read`, { headers: { authorization: 'Bearer not.a.token' } });
    assert.equal(bad.status, 401);
    const ok = await fetch(`${base}/read`, { headers: { authorization: `Bearer ${valid.token}` } });
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), `hello ${valid.expected.consumer_org}`);
    const forbidden = await fetch(`${base}/admin`, { headers: { authorization: `Bearer ${valid.token}` } });
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.headers.get('www-authenticate'), /insufficient_scope/);
    assert.equal(seen.length, 1);
  } finally {
    server.close();
  }
});

test('validateRequest for fetch-style handlers', async () => {
  const v = new TokenValidator({ environment: doc.issuer, fetch: fakeJwks().fake, now: () => valid.now });
  const ok = await validateRequest(v, new Request('https://api.example/', { headers: { authorization: `Bearer ${valid.token}` } }), { scopes: ['test:scope.read'] });
  assert.equal(ok.response, undefined);
  assert.equal(ok.token.consumerOrg, valid.expected.consumer_org);
  const no = await validateRequest(v, new Request('https://api.example/'), { scopes: ['test:scope.read'] });
  assert.equal(no.token, undefined);
  assert.equal(no.response.status, 401);
  assert.equal((await no.response.json()).error, 'invalid_token');
});
