// Benchmark, in one run, on the same key, claims, token and JWKS (not a test: figures, not verdicts):
//   grants:      client.grant() with node:crypto, WebCrypto and WebAssembly, against jose's SignJWT,
//                jsonwebtoken.sign and a raw node:crypto RSA-2048 sign of a grant-sized input;
//   validation:  validator.validate() with node:crypto, WebCrypto and WebAssembly, against jose's
//                jwtVerify, jsonwebtoken.verify and a raw node:crypto verify of the same token;
//   cache hit:   TokenProvider.token() with the token cached;
//   conversions: parseTokenResponse against JSON.parse, the token request's form body against
//                URLSearchParams;
// plus the .wasm's gzipped size and the module's instantiation time.
// Targets (issue 13): grant <= 1.05 x raw sign, validate <= 1.5 x raw verify (both ahead of
// jsonwebtoken), cache hit < 5 us; .wasm <= 150,000 bytes gzipped.
// Run: wasm/build.sh && cd wasm/bench && npm install && node bench.mjs
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, randomUUID, sign as nodeSign, verify as nodeVerify, X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Client, Key, TokenProvider, TokenValidator, parseTokenResponse } from 'maskinporten';
import { SignJWT, importPKCS8, jwtVerify, createLocalJWKSet } from 'jose';
import jwt from 'jsonwebtoken';

const vectors = fileURLToPath(new URL('../../tests/vectors/', import.meta.url));
const clientId = '5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d';
const scope = 'test:scope.read';
const aud = 'https://test.maskinporten.no/';
const keyPem = readFileSync(`${vectors}keys/client.key.pem`, 'utf8');
const certDer = new X509Certificate(readFileSync(`${vectors}keys/client.cert.pem`)).raw;
const x5c = [certDer.toString('base64')];

const key = Key.fromPkcs12(readFileSync(`${vectors}keys/client.p12`), 'vector-password');
const nodeClient = new Client({ clientId, key, environment: 'test' });
const webClient = new Client({ clientId, key, environment: 'test', signer: 'webcrypto' });
const wasmClient = new Client({ clientId, key, environment: 'test', signer: 'wasm' });
const joseKey = await importPKCS8(keyPem, 'RS256');
const nodeKey = createPrivateKey(keyPem);
const opts = { scopes: [scope] };
if (nodeClient.signer !== 'node') throw new Error(`expected the node:crypto signer, got ${nodeClient.signer}`);

const claims = () => {
  const iat = Math.floor(Date.now() / 1000);
  return { aud, iss: clientId, scope, iat, exp: iat + 120, jti: randomUUID() };
};
// What a raw sign signs: a grant's signing input, the same size as ours.
const signingInput = Buffer.from((await nodeClient.grant(opts)).split('.').slice(0, 2).join('.'), 'ascii');

// CPU time of this process per operation (all its threads: WebCrypto's pool included), in ms:
// on a shared machine, wall time also counts the time other processes held the CPU.
const USE_WALL = process.env.BENCH_WALL === '1';
async function measure(fn, ms) {
  for (let i = 0; i < 20; i++) await fn();
  let n = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  while (performance.now() - start < ms) {
    await fn();
    n++;
  }
  if (USE_WALL) return (performance.now() - start) / n;
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1000 / n;
}

/** Interleaved rounds (the machine's load drifts), best of each; `base` names the reference. */
async function race(title, contenders, rounds, ms, base) {
  const results = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(contenders)) results[name].push(await measure(fn, ms));
  }
  const best = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Math.min(...v)]));
  const unit = USE_WALL ? 'wall' : 'CPU';
  console.log(`${title} (best of ${rounds} interleaved rounds x ${ms} ms, ${unit} us/op, ratio to ${base}):`);
  for (const [name, t] of Object.entries(best)) {
    console.log(`  ${name.padEnd(50)} ${(t * 1000).toFixed(1).padStart(9)}  ${(t / best[base]).toFixed(2).padStart(6)} x`);
  }
  return best;
}

// Same claims set: every grant contender produces the same claim names.
const grantContenders = {
  'raw node:crypto RSA-2048 sign': () => nodeSign('sha256', signingInput, nodeKey),
  'maskinporten grant() node:crypto': () => nodeClient.grant(opts),
  'maskinporten grant() WebCrypto': () => webClient.grant(opts),
  'jose SignJWT': () => new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', x5c }).sign(joseKey),
  'jsonwebtoken.sign': () => jwt.sign(claims(), nodeKey, { algorithm: 'RS256', header: { alg: 'RS256', x5c } }),
};
for (const [name, fn] of Object.entries(grantContenders)) {
  if (name.startsWith('raw')) continue;
  const c = JSON.parse(Buffer.from((await fn()).split('.')[1], 'base64url'));
  if (Object.keys(c).sort().join() !== 'aud,exp,iat,iss,jti,scope') throw new Error(`${name}: claims ${Object.keys(c)}`);
}
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const ms = Number(process.env.BENCH_MS ?? 600);
const grants = await race('grant signing, RSA-2048 RS256', grantContenders, rounds, ms, 'raw node:crypto RSA-2048 sign');
const wasmGrant = await measure(() => wasmClient.grantSync(opts), 1500);
console.log(`  ${'maskinporten grantSync() pure WebAssembly'.padEnd(50)} ${(wasmGrant * 1000).toFixed(1).padStart(9)}  ${(wasmGrant / grants['raw node:crypto RSA-2048 sign']).toFixed(2).padStart(6)} x`);

// Validation: the same token and JWKS everywhere.
const validation = JSON.parse(readFileSync(`${vectors}validation.json`, 'utf8'));
const vcase = validation.cases.find((c) => c.name === 'valid');
const jwksText = readFileSync(`${vectors}${validation.jwks_file}`, 'utf8');
const [jwk] = JSON.parse(jwksText).keys;
const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
const publicPem = publicKey.export({ format: 'pem', type: 'spki' });
const validators = Object.fromEntries(['node', 'webcrypto', 'wasm'].map((verifier) => {
  const v = new TokenValidator({ environment: validation.issuer, now: () => vcase.now * 1000, verifier });
  v.updateJwks(jwksText);
  return [verifier, v];
}));
const requirements = { scopes: vcase.requirements.scopes };
const [h, p, s] = vcase.token.split('.');
const signed = Buffer.from(`${h}.${p}`, 'ascii');
const signature = Buffer.from(s, 'base64url');
const localJwks = createLocalJWKSet(JSON.parse(jwksText));
const joseOptions = { issuer: validation.issuer, algorithms: ['RS256', 'RS384', 'RS512'], currentDate: new Date(vcase.now * 1000) };
const jwtOptions = { issuer: validation.issuer, algorithms: ['RS256', 'RS384', 'RS512'], clockTimestamp: vcase.now };
const verifiers = {
  'raw node:crypto verify': () => nodeVerify('sha256', signed, publicKey, signature),
  'maskinporten validate() node:crypto': () => validators.node.validate(vcase.token, requirements),
  'maskinporten validate() WebCrypto': () => validators.webcrypto.validate(vcase.token, requirements),
  'jose jwtVerify': () => jwtVerify(vcase.token, localJwks, joseOptions),
  'jsonwebtoken.verify': () => jwt.verify(vcase.token, publicPem, jwtOptions),
};
const vrounds = Number(process.env.BENCH_VROUNDS ?? 8);
const vms = Number(process.env.BENCH_VMS ?? 300);
const checks = await race('access-token validation, same token and JWKS', verifiers, vrounds, vms, 'raw node:crypto verify');
const wasmVerify = await measure(() => validators.wasm.validate(vcase.token, requirements), 1000);
console.log(`  ${'maskinporten validate() pure WebAssembly'.padEnd(50)} ${(wasmVerify * 1000).toFixed(1).padStart(9)}  ${(wasmVerify / checks['raw node:crypto verify']).toFixed(2).padStart(6)} x`);

// A cache hit through the provider: the options converted once, the key not hashed again.
const tokenBody = JSON.stringify({ access_token: 'bench-token', token_type: 'Bearer', expires_in: 3600, scope });
const provider = new TokenProvider({ client: nodeClient, fetch: async () => new Response(tokenBody, { status: 200, headers: { 'content-type': 'application/json' } }) });
await provider.token(opts);
const hitSame = await measure(() => provider.token(opts), 1500);
const hitFresh = await measure(() => provider.token({ scopes: [scope] }), 1500);
console.log(`cache hit, TokenProvider.token(): ${(hitSame * 1000).toFixed(2)} us (same options object), ${(hitFresh * 1000).toFixed(2)} us (a new, equal options object each call) (target < 5 us)`);

// Conversions the issue quotes, in synchronous loops (each AccessToken freed at once, so the
// garbage collector's finalizers do not weigh on them).
const syncMeasure = (fn, n = 20000) => {
  for (let i = 0; i < 2000; i++) fn();
  const cpu = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1000 / n;
};
const body = new TextEncoder().encode(tokenBody);
const parse = syncMeasure(() => parseTokenResponse(200, body, 'application/json', vcase.now).free());
const jsonParse = syncMeasure(() => JSON.parse(new TextDecoder().decode(body)));
const assertion = await nodeClient.grant(opts);
const form = syncMeasure(() => nodeClient.tokenRequestForAssertion(assertion).body);
const params = syncMeasure(() => new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString());
console.log(`parseTokenResponse ${(parse * 1000).toFixed(2)} us vs JSON.parse ${(jsonParse * 1000).toFixed(2)} us; ` +
  `token request (form body) ${(form * 1000).toFixed(2)} us vs URLSearchParams ${(params * 1000).toFixed(2)} us (CPU per call)`);

const raw = (t) => (t * 1000).toFixed(1);
console.log(`summary: grant node:crypto ${raw(grants['maskinporten grant() node:crypto'])} us = ` +
  `${(grants['maskinporten grant() node:crypto'] / grants['raw node:crypto RSA-2048 sign']).toFixed(3)} x raw sign (target <= 1.05), ` +
  `jsonwebtoken ${(grants['jsonwebtoken.sign'] / grants['raw node:crypto RSA-2048 sign']).toFixed(3)} x; ` +
  `validate node:crypto ${raw(checks['maskinporten validate() node:crypto'])} us = ` +
  `${(checks['maskinporten validate() node:crypto'] / checks['raw node:crypto verify']).toFixed(3)} x raw verify (target <= 1.5), ` +
  `jsonwebtoken ${(checks['jsonwebtoken.verify'] / checks['raw node:crypto verify']).toFixed(3)} x`);

const require = createRequire(import.meta.url);
const wasmPath = require.resolve('maskinporten/package.json').replace(/package\.json$/, 'pkg/wasm/maskinporten_wasm_bg.wasm');
const wasmBytes = readFileSync(wasmPath);
const gz = gzipSync(wasmBytes, { level: 9 }).length;
console.log(`.wasm: ${wasmBytes.length} bytes raw, ${gz} bytes gzipped with Node's zlib at level 9 (scripts/test-wasm measures gzip -9)`);

// Each measurement in a fresh process (V8 caches compiled modules within one), median of 7.
const glueUrl = new URL('maskinporten_wasm.js', `file://${wasmPath}`).href;
const child = (code) => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: process.cwd() }).toString());
const steps = `import { readFileSync } from 'node:fs';
const bytes = readFileSync(${JSON.stringify(wasmPath)});
let t = performance.now(); const module = new WebAssembly.Module(bytes); const compile = performance.now() - t;
const glue = await import(${JSON.stringify(glueUrl)});
t = performance.now(); glue.initSync({ module }); const instantiate = performance.now() - t;
console.log(JSON.stringify({ compile, instantiate }));`;
const full = "const t = performance.now(); await import('maskinporten'); console.log(performance.now() - t)";
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
const runs = Array.from({ length: 7 }, () => child(steps));
const imports = Array.from({ length: 7 }, () => child(full));
console.log(`instantiation (fresh process, median of 7): compile ${median(runs.map((r) => r.compile)).toFixed(2)} ms, ` +
  `instantiate ${median(runs.map((r) => r.instantiate)).toFixed(2)} ms; ` +
  `whole import('maskinporten') incl. JS and file read ${median(imports).toFixed(2)} ms`);
