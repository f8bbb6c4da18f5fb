// The shared vectors (tests/vectors/) through the installed package, with the three signers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMaskinportenError, MaskinportenError, parseTokenResponse } from 'maskinporten';
import { vectorFile, loadKey, makeClient, grantOptions, decodeJwt } from './helpers.mjs';

const grants = vectorFile('grants.json').cases;
const grantErrors = vectorFile('grant_errors.json').cases;
const responses = vectorFile('responses.json').cases;

test('there are vectors to run', () => {
  assert.ok(grants.length > 0 && grantErrors.length > 0 && responses.length > 0);
});

for (const c of grants) {
  test(`grant vector ${c.name}: wasm signer`, () => {
    const client = makeClient(c.client, loadKey(c.key), { signer: 'wasm' });
    assert.equal(client.signer, 'wasm');
    const jwt = client.grantSync(grantOptions(c.grant, c.now, c.jti));
    assert.equal(jwt, c.expected.jwt);
    assert.deepEqual(decodeJwt(jwt), { header: c.expected.header, claims: c.expected.claims });
    const request = client.tokenRequestSync(grantOptions(c.grant, c.now, c.jti));
    assert.equal(request.body, c.expected.body);
    assert.equal(request.method, 'POST');
  });

  for (const signer of ['node', 'webcrypto']) {
    test(`grant vector ${c.name}: ${signer} signer`, async () => {
      const client = makeClient(c.client, loadKey(c.key), { signer });
      assert.equal(client.signer, signer);
      // RSASSA-PKCS1-v1_5 is deterministic: the platform must give the very same bytes.
      assert.equal(await client.grant(grantOptions(c.grant, c.now, c.jti)), c.expected.jwt);
      const request = await client.tokenRequest(grantOptions(c.grant, c.now, c.jti));
      assert.equal(request.body, c.expected.body);
    });
  }
}

test('in Node the default signer is node:crypto', () => {
  const c = grants[0];
  assert.equal(makeClient(c.client, loadKey(c.key)).signer, 'node');
});

for (const c of grantErrors) {
  test(`grant error vector ${c.name}: ${c.expected_error}`, async () => {
    let thrown;
    try {
      const client = makeClient(c.client, loadKey(c.key));
      await client.grant(grantOptions(c.grant, c.now, c.jti));
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown, 'expected an error');
    assert.ok(isMaskinportenError(thrown), `not a MaskinportenError: ${thrown}`);
    assert.ok(thrown instanceof MaskinportenError && thrown instanceof Error);
    assert.equal(thrown.code, c.expected_error, thrown.message);
    assert.doesNotMatch(thrown.message, /panicked|unreachable|RuntimeError/);
  });
}

for (const c of responses) {
  test(`response vector ${c.name}`, () => {
    const run = () => parseTokenResponse(c.status, c.body, c.content_type ?? undefined, c.now);
    if (c.expected) {
      const t = run();
      assert.equal(t.accessToken, c.expected.access_token);
      assert.equal(t.tokenType, c.expected.token_type);
      assert.equal(t.expiresIn, c.expected.expires_in);
      assert.equal(t.scope ?? null, c.expected.scope);
      assert.equal(t.expiresAt, c.expected.expires_at);
      assert.equal(typeof t.expiresAt, 'number');
      // The token never shows up in descriptions.
      assert.ok(!String(t).includes(c.expected.access_token));
      assert.ok(!JSON.stringify(t).includes(c.expected.access_token));
    } else {
      const want = c.expected_error;
      assert.throws(run, (e) => {
        assert.ok(isMaskinportenError(e), String(e));
        assert.equal(e.code, want.kind);
        assert.equal(e.mpCode, want.mp_code);
        assert.equal(e.error, want.error);
        assert.equal(e.retryable, want.retryable);
        assert.equal(e.status, want.status);
        // As in the core's own vector test: has_hint=true means a hint must be there (false
        // only means the vector does not require one).
        if (want.has_hint) assert.ok(e.hint, 'a hint is expected');
        // At most a short snippet of the body, never a long body in full.
        assert.ok(e.message.length < 1000, 'message too long');
        if (c.body.length > 300) assert.ok(!e.message.includes(c.body), 'the whole body must not be echoed');
        return true;
      });
    }
  });
}
