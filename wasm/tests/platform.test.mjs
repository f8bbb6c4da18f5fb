// The platform's RSA is what signs and verifies in Node: node:crypto's sign and verify are
// called (spied on through the CommonJS module and syncBuiltinESMExports), not the core's RSA
// in WebAssembly, which gives the same answers and would hide a regression from every other test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { Client, Key, TokenProvider, TokenValidator } from 'maskinporten';
import { vectorFile, readVector } from './helpers.mjs';

const crypto = createRequire(import.meta.url)('node:crypto');

async function counting(name, run) {
  const original = crypto[name];
  let calls = 0;
  crypto[name] = function counted(...args) {
    calls++;
    return original.apply(this, args);
  };
  syncBuiltinESMExports();
  try {
    await run();
  } finally {
    crypto[name] = original;
    syncBuiltinESMExports();
  }
  return calls;
}

test('validate() verifies with node:crypto, once per token; verifier "wasm" does not', async () => {
  const doc = vectorFile('validation.json');
  const valid = doc.cases.find((c) => c.name === 'valid');
  const jwks = readVector(doc.jwks_file, 'utf8');
  for (const [verifier, expected] of [['node', 3], ['wasm', 0]]) {
    const v = new TokenValidator({ environment: doc.issuer, now: () => valid.now * 1000, verifier });
    v.updateJwks(jwks);
    const calls = await counting('verify', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await v.validate(valid.token, { scopes: ['test:scope.read'] })).consumerOrg, '311000004');
    });
    assert.equal(calls, expected, verifier);
  }
});

test('grant() and the provider sign with node:crypto; signer "wasm" does not', async () => {
  const key = Key.fromPkcs12(readVector('keys/client.p12'), 'vector-password');
  const options = { clientId: '5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d', key, environment: 'test' };
  const body = JSON.stringify({ access_token: 'tok', token_type: 'Bearer', expires_in: 120 });
  const fetch = async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  for (const [signer, expected] of [['node', 2], ['wasm', 0]]) {
    const client = new Client({ ...options, signer });
    const calls = await counting('sign', async () => {
      await client.grant({ scopes: ['test:scope.read'] });
      await new TokenProvider({ client, fetch }).token({ scopes: ['test:scope.read'] });
    });
    assert.equal(calls, expected, signer);
  }
});
