// The error kinds of the TypeScript declarations are the core's (ErrorKind::ALL via errorKinds()).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { errorKinds } from 'maskinporten';

test('errorKinds() lists the core\'s kinds', () => {
  const kinds = errorKinds();
  assert.ok(Array.isArray(kinds) && kinds.length > 40);
  for (const kind of ['wrong_password', 'oauth_error', 'unavailable', 'token_missing', 'invalid_requirements', 'signer_failed']) {
    assert.ok(kinds.includes(kind), kind);
  }
  assert.equal(new Set(kinds).size, kinds.length);
});

test('the MaskinportenErrorCode union of index.d.ts is exactly errorKinds()', () => {
  const require = createRequire(import.meta.url);
  const dts = readFileSync(require.resolve('maskinporten/package.json').replace(/package\.json$/, 'js/index.d.ts'), 'utf8');
  const union = /export type MaskinportenErrorCode =([^;]*);/.exec(dts);
  assert.ok(union, 'index.d.ts declares MaskinportenErrorCode');
  const declared = [...union[1].matchAll(/'([a-z0-9_]+)'/g)].map((m) => m[1]);
  assert.deepEqual([...declared].sort(), [...errorKinds()].sort());
});
