// The README's quickstart, executed as written against the simulator (only the environment
// variables it reads point at the simulator and the vector key).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { startSimulator, VECTORS } from './helpers.mjs';

const run = promisify(execFile);
let sim;
after(() => sim?.stop());

function quickstart() {
  const readme = readFileSync(process.env.MASKINPORTEN_README ?? 'README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Quickstart'));
  const match = section.match(/```js\n([\s\S]*?)```/);
  assert.ok(match, 'README has a ```js block under ## Quickstart');
  return match[1];
}

test('README quickstart runs and gets a token from the simulator', async () => {
  sim = await startSimulator();
  const file = join(process.cwd(), 'quickstart.mjs'); // next to node_modules, like a user's app
  writeFileSync(file, quickstart());
  const { stdout } = await run(process.execPath, [file], {
    env: {
      ...process.env,
      MASKINPORTEN_P12: join(VECTORS, 'keys/client.p12'),
      MASKINPORTEN_P12_PASSWORD: 'vector-password',
      MASKINPORTEN_CLIENT_ID: '5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d',
      MASKINPORTEN_ENV: sim.issuer,
    },
  });
  assert.match(stdout, /got a Bearer token for "test:scope\.read", valid until 20\d\d-/);
  assert.equal((await sim.admin('/_sim/stats')).tokens_issued, 1);
});

test('README quickstart reports a MaskinportenError with its code', async () => {
  const file = join(process.cwd(), 'quickstart.mjs');
  const result = await run(process.execPath, [file], {
    env: {
      ...process.env,
      MASKINPORTEN_P12: join(VECTORS, 'keys/client.p12'),
      MASKINPORTEN_P12_PASSWORD: 'not-the-password',
      MASKINPORTEN_CLIENT_ID: '5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d',
      MASKINPORTEN_ENV: 'test',
    },
  }).catch((e) => e);
  // Key loading happens before the try block, so the error escapes as an uncaught MaskinportenError.
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /MaskinportenError/);
  assert.match(result.stderr, /wrong_password|password/);
  assert.doesNotMatch(result.stderr, /not-the-password/);
});
