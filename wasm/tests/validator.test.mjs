// The validator through the installed package: the validation vectors (with each verifier, their
// expected rejections, the Authorization header cases), the JWKS fetching of the core's
// validation flow with a fake fetch, the Express-style middleware and the fetch-Request helper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createPublicKey } from 'node:crypto';
import { TokenValidator, bearerToken, expressMiddleware, validateRequest, isMaskinportenError } from 'maskinporten';
import { vectorFile, readVector } from './helpers.mjs';

const doc = vectorFile('validation.json');
const jwks = readVector(doc.jwks_file, 'utf8');
const valid = doc.cases.find((c) => c.name === 'valid');
const other = doc.cases.find((c) => c.name === 'unknown_kid');
const VERIFIERS = ['node', 'webcrypto', 'wasm'];

const requirementsOf = (r) => ({
  scopes: r.scopes,
  scopeMatch: r.scope_match,
  ...(r.audience != null ? { audience: r.audience } : {}),
  requirePid: r.require_pid,
  consumerOrgs: r.consumer_orgs,
  anyScopeUnchecked: r.any_scope_unchecked,
  esealConsumers: r.eseal_consumers,
  ...(r.consent ? { consent: { ...(r.consent.id != null ? { id: r.consent.id } : {}), ...(r.consent.from != null ? { from: r.consent.from } : {}) } } : {}),
  ...(r.system_user ? { systemUser: { ...(r.system_user.org != null ? { org: r.system_user.org } : {}), ...(r.system_user.system_id != null ? { systemId: r.system_user.system_id } : {}) } } : {}),
});

/** A validator whose clock is the vector's `now` (seconds), with the vectors' JWKS loaded. */
function loaded(at = valid.now, extra = {}) {
  const v = new TokenValidator({ environment: doc.issuer, fetch: async () => assert.fail('no fetch expected'), now: () => at * 1000, ...extra });
  v.updateJwks(jwks);
  return v;
}

function checkValid(t, c) {
  assert.equal(t.consumerOrg, c.expected.consumer_org);
  assert.equal(t.consumer.orgNumber, c.expected.consumer_org);
  assert.equal(t.consumer.authority, c.expected.consumer_authority);
  assert.equal(t.consumer.id, c.expected.consumer_id);
  assert.deepEqual(t.consumer.subUnit, c.expected.consumer_sub_unit);
  assert.equal(t.supplier?.orgNumber ?? null, c.expected.supplier_org);
  assert.equal(t.clientId, c.expected.client_id);
  assert.equal(t.expiresAt, c.expected.expires_at);
  assert.equal(typeof t.claims, 'object');
  assert.equal(t.claims.client_id, c.expected.client_id);
  assert.equal(t.authorizationDetails.length, (t.claims.authorization_details ?? []).length);
  for (const d of t.authorizationDetails) assert.match(d.type, /^(urn:altinn:systemuser|urn:altinn:consent|other)$/);
}

/** The parts of a rejection the vectors pin: status, the challenge's error code and scope. */
function rejectionParts(rejection) {
  const challenge = rejection.wwwAuthenticate ?? '';
  return {
    status: rejection.status,
    error: /error="([^"]*)"/.exec(challenge)?.[1] ?? null,
    scope: /, scope="([^"]*)"/.exec(challenge)?.[1] ?? null,
  };
}

function checkError(e, c) {
  assert.ok(isMaskinportenError(e), String(e));
  assert.equal(e.code, c.expected_error);
  // The token is never echoed.
  if (c.token.length > 40) assert.ok(!e.message.includes(c.token.slice(0, 40)));
  assert.deepEqual(rejectionParts(e.rejection), c.expected_rejection);
  assert.equal(e.rejection.headers['Cache-Control'], 'no-store');
  assert.equal(e.rejection.headers['Content-Type'], 'application/json');
  if (c.token.length > 40) assert.ok(!e.rejection.body.includes(c.token.slice(0, 40)));
  return true;
}

test('there are validation vectors, with rejections and header cases', () => {
  assert.ok(doc.cases.length > 10 && valid && other);
  assert.ok(doc.cases.some((c) => c.requirements.any_scope_unchecked));
  assert.ok(doc.cases.filter((c) => c.expected_error).every((c) => c.expected_rejection));
  assert.ok(doc.headers.length > 5);
});

for (const c of doc.cases) {
  test(`validation vector ${c.name}: validateSync (WebAssembly)`, () => {
    const run = () => loaded(c.now).validateSync(c.token, requirementsOf(c.requirements));
    if (c.expected) checkValid(run(), c);
    else assert.throws(run, (e) => checkError(e, c));
  });

  for (const verifier of VERIFIERS) {
    test(`validation vector ${c.name}: validate() with verifier ${verifier}`, async () => {
      // The JWKS is loaded at the case's own time, so the flow has nothing to fetch.
      const v = loaded(c.now, { verifier });
      assert.equal(v.verifier, verifier);
      const run = () => v.validate(c.token, requirementsOf(c.requirements));
      if (c.expected) {
        checkValid(await run(), c);
        checkValid(await run(), c); // again, with the platform key cached
      } else {
        await assert.rejects(run(), (e) => checkError(e, c));
      }
    });
  }
}

for (const h of doc.headers) {
  test(`Authorization header ${JSON.stringify(h.authorization)?.slice(0, 60)}`, () => {
    if (h.expected_token !== undefined) {
      assert.equal(bearerToken(h.authorization), h.expected_token);
      return;
    }
    assert.throws(() => bearerToken(h.authorization), (e) => {
      assert.ok(isMaskinportenError(e), String(e));
      assert.equal(e.code, h.expected_error);
      assert.deepEqual(rejectionParts(e.rejection), h.expected_rejection);
      if (h.expected_rejection.error === null && h.expected_rejection.status === 401) {
        assert.equal(e.rejection.headers['WWW-Authenticate'], 'Bearer', 'RFC 6750 §3.1: no error code without a token');
      }
      if (typeof h.authorization === 'string' && h.authorization.length > 12) {
        assert.ok(!e.message.includes(h.authorization.slice(7)), 'the header is not quoted');
      }
      return true;
    });
  });
}

test('validate() takes the whole header value, scheme in any case', async () => {
  for (const verifier of VERIFIERS) {
    const v = loaded(valid.now, { verifier });
    for (const prefix of ['Bearer ', 'bearer ', 'BEARER  ']) {
      assert.equal((await v.validate(`${prefix}${valid.token}`, requirementsOf(valid.requirements))).consumerOrg, valid.expected.consumer_org);
    }
  }
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
  await assert.rejects(v.validate(valid.token, undefined), (e) => isMaskinportenError(e) && e.code === 'invalid_requirements');
  const cyclic = { scopes: ['test:scope.read'] };
  cyclic.self = cyclic;
  await assert.rejects(v.validate(valid.token, cyclic), (e) => isMaskinportenError(e) && e.field === 'requirements');
});

test('tokens reach the core whatever their characters: non-ASCII, lone surrogates, too long', async () => {
  for (const verifier of VERIFIERS) {
    const v = loaded(valid.now, { verifier });
    const req = requirementsOf(valid.requirements);
    for (const token of [`${valid.token}ø`, `ø${valid.token}`, `${valid.token.slice(0, 30)}\ud800${valid.token.slice(31)}`]) {
      await assert.rejects(v.validate(token, req), (e) => e.code === 'token_malformed');
    }
    await assert.rejects(v.validate('ø'.repeat(9000), req), (e) => e.code === 'token_too_large');
    await assert.rejects(v.validate('a'.repeat(17000), req), (e) => e.code === 'token_too_large');
  }
});

test('a new JWKS drops the imported platform keys, also for a kid that stays the same', async () => {
  const rotated = doc.cases.find((c) => c.name === 'signed_by_another_key');
  const [publicJwk] = JSON.parse(jwks).keys;
  const otherJwk = createPublicKey(readVector('keys/other.key.pem', 'utf8')).export({ format: 'jwk' });
  const otherJwks = JSON.stringify({ keys: [{ ...otherJwk, kid: publicJwk.kid, alg: 'RS256', use: 'sig' }] });
  for (const verifier of VERIFIERS) {
    const v = loaded(valid.now, { verifier });
    const req = requirementsOf(valid.requirements);
    assert.equal((await v.validate(valid.token, req)).consumerOrg, valid.expected.consumer_org);
    v.updateJwks(otherJwks);
    assert.equal((await v.validate(rotated.token, req)).consumerOrg, valid.expected.consumer_org, verifier);
    await assert.rejects(v.validate(valid.token, req), (e) => e.code === 'signature_invalid');
    v.updateJwks(jwks);
    assert.equal((await v.validate(valid.token, req)).consumerOrg, valid.expected.consumer_org);
  }
});

test('a tampered signature fails with every verifier', async () => {
  const [h, p, sig] = valid.token.split('.');
  const bytes = Buffer.from(sig, 'base64url');
  bytes[10] ^= 1;
  const token = `${h}.${p}.${bytes.toString('base64url')}`;
  for (const verifier of VERIFIERS) {
    const e = await loaded(valid.now, { verifier }).validate(token, requirementsOf(valid.requirements)).catch((x) => x);
    assert.equal(e.code, 'signature_invalid', verifier);
    assert.equal(e.rejection.status, 401);
  }
});

test('verifier option: the default is node:crypto in Node; unknown values are refused', () => {
  assert.equal(new TokenValidator({ environment: 'test' }).verifier, 'node');
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
  for (const verifier of VERIFIERS) {
    const { fake, calls } = fakeJwks();
    const events = [];
    const v = new TokenValidator({ environment: doc.issuer, fetch: fake, now: () => valid.now * 1000, verifier, onEvent: (e) => events.push(e) });
    const results = await Promise.all(Array.from({ length: 10 }, () => v.validate(`Bearer ${valid.token}`, requirementsOf(valid.requirements))));
    assert.equal(calls.length, 1);
    assert.equal(calls[0].url, 'https://test.maskinporten.no/jwk');
    assert.equal(calls[0].init.method, 'GET');
    assert.ok(results.every((t) => t.consumerOrg === valid.expected.consumer_org));
    await v.validate(valid.token, requirementsOf(valid.requirements));
    assert.equal(calls.length, 1);
    assert.deepEqual(events.map((e) => e.event), ['jwks_refreshed']);
    assert.equal(events[0].keys, 1);
  }
});

test('an unknown kid triggers one refetch, rate-limited', async () => {
  const { fake, calls } = fakeJwks();
  let now = valid.now * 1000;
  const v = new TokenValidator({ environment: doc.issuer, fetch: fake, now: () => now, minRefetchInterval: 60 });
  await v.validate(valid.token, requirementsOf(valid.requirements));
  assert.equal(calls.length, 1);
  now += 61_000;
  const e = await v.validate(other.token, requirementsOf(other.requirements)).catch((x) => x);
  assert.equal(e.code, 'unknown_kid');
  assert.equal(calls.length, 2, 'refetched once for the unknown kid');
  const again = await v.validate(other.token, requirementsOf(other.requirements)).catch((x) => x);
  assert.equal(again.code, 'unknown_kid');
  assert.equal(calls.length, 2, 'not again within minRefetchInterval');
});

test('a JWKS that cannot be fetched is a retryable unavailable (503) before any key is loaded', async () => {
  const v = new TokenValidator({ environment: doc.issuer, fetch: async () => new Response('no', { status: 502 }), now: () => valid.now * 1000 });
  const e = await v.validate(valid.token, requirementsOf(valid.requirements)).catch((x) => x);
  assert.equal(e.code, 'unavailable');
  assert.equal(e.retryable, true);
  assert.equal(e.rejection.status, 503);
  assert.equal(e.rejection.headers['Retry-After'], '60');
  assert.equal(e.rejection.wwwAuthenticate, null);
});

test('after a failed JWKS fetch the core holds off refetching; loaded keys stay in use', async () => {
  let now = valid.now * 1000;
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
  now += 61_000; // stale: the core asks for a refetch, which fails
  const t = await v.validate(valid.token, requirementsOf(valid.requirements));
  assert.equal(calls, 2);
  assert.equal(t.consumerOrg, valid.expected.consumer_org, 'the loaded keys stay in use');
  now += 20_000;
  await v.validate(valid.token, requirementsOf(valid.requirements));
  assert.equal(calls, 2, 'no refetch within minRefetchInterval of the failure');
  fail = false;
  now += 11_000;
  await v.validate(valid.token, requirementsOf(valid.requirements));
  assert.equal(calls, 3, 'refetched after minRefetchInterval');
});

test('with no JWKS and a failed fetch, callers get a retryable error without a fetch each', async () => {
  let now = valid.now * 1000;
  let calls = 0;
  const v = new TokenValidator({ environment: doc.issuer, fetch: async () => { calls++; throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }); },
    now: () => now, minRefetchInterval: 60 });
  for (let i = 0; i < 3; i++) {
    const e = await v.validate(valid.token, requirementsOf(valid.requirements)).catch((x) => x);
    assert.equal(e.code, 'unavailable');
    assert.equal(e.retryable, true);
  }
  assert.equal(calls, 1);
  now += 61_000;
  await v.validate(valid.token, requirementsOf(valid.requirements)).catch(() => {});
  assert.equal(calls, 2);
});

test('an aborted validation releases its JWKS fetch; the next request fetches', async () => {
  const pending = [];
  const v = new TokenValidator({ environment: doc.issuer, now: () => valid.now * 1000,
    fetch: (url, init) => new Promise((resolve, reject) => {
      pending.push(resolve);
      init.signal.addEventListener('abort', () => reject(init.signal.reason));
    }) });
  const controller = new AbortController();
  const first = v.validate(valid.token, requirementsOf(valid.requirements), { signal: controller.signal });
  await new Promise((r) => setTimeout(r, 10));
  controller.abort();
  await assert.rejects(first, (e) => e.name === 'AbortError');
  const second = v.validate(valid.token, requirementsOf(valid.requirements));
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(pending.length, 2);
  pending[1](new Response(jwks, { status: 200 }));
  assert.equal((await second).consumerOrg, valid.expected.consumer_org);
});

test('unknown requirement names are argument errors', () => {
  const e = (() => { try { loaded().validateSync(valid.token, { scope: ['x'] }); } catch (x) { return x; } })();
  assert.ok(isMaskinportenError(e));
  assert.equal(e.field, 'requirements');
});

test('expressMiddleware answers with the core\'s rejection: a bare Bearer challenge without a token', async () => {
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
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    assert.equal(none.headers.get('cache-control'), 'no-store');
    assert.equal((await none.json()).error, undefined);
    const basic = await fetch(`${base}/read`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    assert.equal(basic.headers.get('www-authenticate'), 'Bearer');
    const malformed = await fetch(`${base}/read`, { headers: { authorization: 'Bearer a b' } });
    assert.equal(malformed.status, 400);
    assert.match(malformed.headers.get('www-authenticate'), /^Bearer error="invalid_request"/);
    const bad = await fetch(`${base}/read`, { headers: { authorization: 'Bearer not.a.token' } });
    assert.equal(bad.status, 401);
    assert.match(bad.headers.get('www-authenticate'), /^Bearer error="invalid_token"/);
    const ok = await fetch(`${base}/read`, { headers: { authorization: `bearer ${valid.token}` } });
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), `hello ${valid.expected.consumer_org}`);
    const forbidden = await fetch(`${base}/admin`, { headers: { authorization: `Bearer ${valid.token}` } });
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.headers.get('www-authenticate'), /^Bearer error="insufficient_scope".*, scope="test:scope.admin"$/);
    assert.equal(seen.length, 1);
  } finally {
    server.close();
  }
});

test('expressMiddleware: an issuer outage is a 503 with Retry-After', async () => {
  const v = new TokenValidator({ environment: doc.issuer, now: () => valid.now * 1000, fetch: async () => { throw new TypeError('fetch failed'); } });
  const middleware = expressMiddleware(v, { scopes: ['test:scope.read'] });
  const headers = {};
  const res = { statusCode: 0, setHeader: (n, val) => { headers[n] = val; }, end: (body) => { res.body = body; } };
  await middleware({ headers: { authorization: `Bearer ${valid.token}` } }, res, () => assert.fail('next() must not run'));
  assert.equal(res.statusCode, 503);
  assert.equal(headers['Retry-After'], '60');
  assert.equal(JSON.parse(res.body).kind, 'unavailable');
});

test('validateRequest for fetch-style handlers', async () => {
  const v = new TokenValidator({ environment: doc.issuer, fetch: fakeJwks().fake, now: () => valid.now * 1000 });
  const ok = await validateRequest(v, new Request('https://api.example/', { headers: { authorization: `Bearer ${valid.token}` } }), { scopes: ['test:scope.read'] });
  assert.equal(ok.response, undefined);
  assert.equal(ok.token.consumerOrg, valid.expected.consumer_org);
  const no = await validateRequest(v, new Request('https://api.example/'), { scopes: ['test:scope.read'] });
  assert.equal(no.token, undefined);
  assert.equal(no.response.status, 401);
  assert.equal(no.response.headers.get('www-authenticate'), 'Bearer');
  const body = await no.response.json();
  assert.equal(body.error, undefined);
  assert.equal(body.kind, 'token_missing');
});
