// Deno smoke test: the installed package (node_modules/maskinporten, resolved through its
// `deno` export condition, i.e. the web entry) finds Deno's node:crypto, signs vector grants with
// it, with WebCrypto and with the pure-WASM signer (byte-identical to the vectors), maps a wrong
// password to a MaskinportenError, and validates a vector access token with each verifier. Run by scripts/test-wasm from the folder where the tarball
// is installed: `deno run --allow-read --allow-env tests/deno/smoke.mjs`.
import { Client, Key, TokenValidator, isMaskinportenError } from 'maskinporten';

const vectors = Deno.env.get('MASKINPORTEN_VECTORS');
const entry = import.meta.resolve('maskinporten');
const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
};

check(entry.endsWith('/js/web.js'), `Deno resolved the package to ${entry}, not js/web.js`);

const grants = JSON.parse(await Deno.readTextFile(`${vectors}/grants.json`)).cases;
const cases = grants.filter((c) => c.key.type === 'pkcs12' || c.key.type === 'jwk').slice(0, 6);
check(cases.length > 0, 'no PKCS#12 or JWK grant vectors found');
for (const c of cases) {
  const key = c.key.type === 'jwk'
    ? Key.fromJwk(await Deno.readTextFile(`${vectors}/${c.key.file}`))
    : Key.fromPkcs12(await Deno.readFile(`${vectors}/${c.key.file}`), c.key.password);
  const options = { scopes: c.grant.scopes, now: c.now, jti: c.jti };
  if (c.grant.resource != null) options.resource = c.grant.resource;
  if (c.grant.consumer_org != null) options.consumerOrg = c.grant.consumer_org;
  if (c.grant.iss_onbehalfof != null) options.issOnbehalfof = c.grant.iss_onbehalfof;
  if (c.grant.pid != null) options.pid = c.grant.pid;
  if (c.grant.authorization_details != null) options.authorizationDetails = c.grant.authorization_details;
  const base = {
    clientId: c.client.client_id, key, environment: c.client.environment,
    algorithm: c.client.algorithm ?? undefined, lifetime: c.client.lifetime ?? undefined, x5c: c.client.x5c ?? undefined,
  };
  const auto = new Client(base);
  check(auto.signer === 'node', `${c.name}: signer is ${auto.signer}, expected node (Deno's node:crypto)`);
  for (const signer of ['node', 'webcrypto', 'wasm']) {
    check((await new Client({ ...base, signer }).grant(options)) === c.expected.jwt, `${c.name}: ${signer} grant differs from the vector`);
  }
}

try {
  Key.fromPkcs12(await Deno.readFile(`${vectors}/keys/client.p12`), 'not-the-password');
  check(false, 'a wrong PKCS#12 password was accepted');
} catch (e) {
  check(isMaskinportenError(e) && e.code === 'wrong_password', `wrong password gave ${e?.code}: ${e}`);
}

const validation = JSON.parse(await Deno.readTextFile(`${vectors}/validation.json`));
const valid = validation.cases.find((c) => c.name === 'valid');
const forged = validation.cases.find((c) => c.name === 'signed_by_another_key');
for (const verifier of ['node', 'webcrypto', 'wasm']) {
  const validator = new TokenValidator({
    environment: validation.issuer,
    verifier,
    now: () => valid.now * 1000,
    fetch: async () => new Response(await Deno.readTextFile(`${vectors}/${validation.jwks_file}`), { status: 200 }),
  });
  const token = await validator.validate(`Bearer ${valid.token}`, { scopes: valid.requirements.scopes });
  check(token.consumerOrg === valid.expected.consumer_org, `${verifier}: validated consumerOrg ${token.consumerOrg}`);
  const refused = await validator.validate(forged.token, { scopes: valid.requirements.scopes }).then(() => 'accepted', (e) => e.code);
  check(refused === 'signature_invalid', `${verifier}: a token signed by another key gave ${refused}`);
}
check(new TokenValidator({ environment: 'test' }).verifier === 'node', 'the default verifier in Deno is node:crypto');

// The admin entry point (`maskinporten/admin`, its own module): built requests, and refusals that
// are the same MaskinportenError class as the main module's.
const admin = await import('maskinporten/admin');
check(import.meta.resolve('maskinporten/admin').endsWith('/js/admin/web.js'), 'Deno resolved maskinporten/admin elsewhere than js/admin/web.js');
check(new admin.SelfService('test').listClientsRequest('t').url === 'https://api.test.samarbeid.digdir.no/api/v1/clients', 'admin: list clients URL');
try {
  admin.parseClient('getClient', 403, '{}');
  check(false, 'admin: a 403 was accepted');
} catch (e) {
  check(isMaskinportenError(e) && e.code === 'admin_scope_missing', `admin: a 403 gave ${e?.code}: ${e}`);
}

if (failures.length) {
  console.error(`deno smoke: ${failures.length} failure(s):\n  ${failures.join('\n  ')}`);
  Deno.exit(1);
}
console.log(`deno smoke: ${cases.length} grant vectors x 3 signers (node:crypto, WebCrypto, WASM), error mapping, validation with 3 verifiers and the admin entry passed (Deno ${Deno.version.deno})`);
