// Browser smoke test: Debian's headless Chromium loads the package's web build from a loopback
// server and signs vector grants with WebCrypto and with the pure-WASM signer; the JWTs must be
// byte-identical to the vectors. It also validates a vector token with the WebCrypto verifier
// (which hands WebCrypto views of the module's memory) and one signed by another key. Run by scripts/test-wasm from the temp folder where the tarball
// is installed (node_modules/maskinporten) and playwright-core is available.
import { join } from 'node:path';
import { launchChromium, serve } from './harness.mjs';

const pkgDir = join(process.cwd(), 'node_modules', 'maskinporten');
const vectors = process.env.MASKINPORTEN_VECTORS;

const page = `<!doctype html><meta charset="utf-8"><title>maskinporten smoke</title>
<script type="module">
  try {
    const { Client, Key, TokenProvider, TokenValidator, isMaskinportenError } = await import('/pkg/js/web.js');
    const cases = (await (await fetch('/vectors/grants.json')).json()).cases;
    const bytes = async (p) => new Uint8Array(await (await fetch('/vectors/' + p)).arrayBuffer());
    const text = async (p) => (await fetch('/vectors/' + p)).text();
    const results = [];
    for (const c of cases.filter((c) => c.key.type === 'pkcs12' || c.key.type === 'jwk').slice(0, 6)) {
      const key = c.key.type === 'jwk' ? Key.fromJwk(await text(c.key.file)) : Key.fromPkcs12(await bytes(c.key.file), c.key.password);
      const opts = { scopes: c.grant.scopes, now: c.now, jti: c.jti };
      if (c.grant.resource != null) opts.resource = c.grant.resource;
      if (c.grant.consumer_org != null) opts.consumerOrg = c.grant.consumer_org;
      if (c.grant.iss_onbehalfof != null) opts.issOnbehalfof = c.grant.iss_onbehalfof;
      if (c.grant.pid != null) opts.pid = c.grant.pid;
      if (c.grant.authorization_details != null) opts.authorizationDetails = c.grant.authorization_details;
      const base = { clientId: c.client.client_id, key, environment: c.client.environment,
        algorithm: c.client.algorithm ?? undefined, lifetime: c.client.lifetime ?? undefined, x5c: c.client.x5c ?? undefined };
      const web = new Client(base); // in a browser: WebCrypto
      const wasm = new Client({ ...base, signer: 'wasm' });
      results.push({ name: c.name, signer: web.signer,
        webcrypto: (await web.grant(opts)) === c.expected.jwt, wasm: (await wasm.grant(opts)) === c.expected.jwt });
    }
    // The token flow in the browser: WebCrypto signs the core's grant, a fake fetch answers.
    const p12case = cases.find((c) => c.key.type === 'pkcs12');
    const flowClient = new Client({ clientId: p12case.client.client_id, key: Key.fromPkcs12(await bytes(p12case.key.file), p12case.key.password),
      environment: p12case.client.environment });
    let assertion;
    const provider = new TokenProvider({ client: flowClient, fetch: async (url, init) => {
      assertion = new URLSearchParams(init.body).get('assertion');
      return new Response(JSON.stringify({ access_token: 'browser-token', token_type: 'Bearer', expires_in: 120 }),
        { status: 200, headers: { 'content-type': 'application/json' } });
    } });
    const flowToken = await provider.token({ scopes: p12case.grant.scopes });
    const flow = { token: flowToken.accessToken, parts: assertion?.split('.').length, signer: flowClient.signer };
    let error;
    try { Key.fromPkcs12(await bytes('keys/client.p12'), 'wrong'); } catch (e) { error = { guard: isMaskinportenError(e), code: e.code }; }
    const vdoc = await (await fetch('/vectors/validation.json')).json();
    const good = vdoc.cases.find((c) => c.name === 'valid');
    const forged = vdoc.cases.find((c) => c.name === 'signed_by_another_key');
    const validator = new TokenValidator({ environment: vdoc.issuer, now: () => good.now * 1000,
      fetch: async () => { throw new Error('no fetch expected'); } });
    validator.updateJwks(await text(vdoc.jwks_file));
    const requirements = { scopes: good.requirements.scopes };
    const validated = await validator.validate(good.token, requirements);
    const again = await validator.validate(good.token, requirements); // with the CryptoKey cached
    const forgedCode = await validator.validate(forged.token, requirements).then(() => 'accepted', (e) => e.code);
    const validation = { consumerOrg: validated.consumerOrg, again: again.consumerOrg, expected: good.expected.consumer_org, forgedCode,
      verifier: validator.verifier };
    // The admin entry point: its own module, fetched by its web entry; refusals are the same class.
    const adminApi = await import('/pkg/js/admin/web.js');
    let adminError;
    try { adminApi.parseClient('getClient', 403, '{}'); } catch (e) { adminError = { guard: isMaskinportenError(e), code: e.code }; }
    const admin = { url: new adminApi.SelfService('test').listClientsRequest('t').url, error: adminError,
      step: new adminApi.RotationPlanner().plan({ keys: [] }, undefined, 1767225600).kind };
    window.__result = { ok: true, results, error, validation, flow, admin, subtle: !!globalThis.crypto?.subtle };
  } catch (e) {
    window.__result = { ok: false, message: String(e && e.stack || e) };
  }
</script>`;

const server = await serve([['/pkg/', pkgDir], ['/vectors/', vectors]], { '/': page });
const browser = await launchChromium();
let failed = false;
try {
  const tab = await browser.newPage();
  const logs = [];
  tab.on('console', (m) => logs.push(m.text()));
  tab.on('pageerror', (e) => logs.push(String(e)));
  await tab.goto(`${server.origin}/`);
  const handle = await tab.waitForFunction(() => window.__result, null, { timeout: 60_000 });
  const result = await handle.jsonValue();
  if (!result.ok) throw new Error(`page failed: ${result.message}\n${logs.join('\n')}`);
  const bad = result.results.filter((r) => !r.webcrypto || !r.wasm || r.signer !== 'webcrypto');
  console.log(`browser: ${result.results.length} vector grants signed in Chromium (WebCrypto and WASM), subtle=${result.subtle}`);
  for (const r of result.results) console.log(`  ${r.name}: webcrypto=${r.webcrypto} wasm=${r.wasm} signer=${r.signer}`);
  if (result.results.length === 0 || bad.length) throw new Error(`mismatching grants: ${JSON.stringify(bad)}`);
  if (!result.error?.guard || result.error.code !== 'wrong_password') throw new Error(`error mapping: ${JSON.stringify(result.error)}`);
  console.log(`browser: TokenProvider with ${result.flow.signer}: ${result.flow.token}, a ${result.flow.parts}-part grant sent`);
  if (result.flow.token !== 'browser-token' || result.flow.parts !== 3 || result.flow.signer !== 'webcrypto') {
    throw new Error(`token flow in the browser: ${JSON.stringify(result.flow)}`);
  }
  const v = result.validation;
  console.log(`browser: validate() with WebCrypto: consumer ${v.consumerOrg} (twice: ${v.again}), forged token: ${v.forgedCode}`);
  if (v.verifier !== 'webcrypto' || v.consumerOrg !== v.expected || v.again !== v.expected || v.forgedCode !== 'signature_invalid') {
    throw new Error(`validation in the browser: ${JSON.stringify(v)}`);
  }
  const a = result.admin;
  console.log(`browser: maskinporten/admin: ${a.url}, a 403 is ${a.error?.code}, first rotation step ${a.step}`);
  if (a.url !== 'https://api.test.samarbeid.digdir.no/api/v1/clients' || !a.error?.guard || a.error.code !== 'admin_scope_missing' || a.step !== 'publish') {
    throw new Error(`admin entry in the browser: ${JSON.stringify(a)}`);
  }
  console.log('browser smoke test passed');
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);
