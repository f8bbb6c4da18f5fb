// The app both bundlers build: it imports the package by name, as a user's app would, loads the
// vector key and signs one vector grant with the default (WebCrypto) signer and with the pure-WASM
// signer. run.mjs serves /vectors/ next to the bundle and compares the JWTs with the vector.
import { Client, Key } from 'maskinporten';

const CASE = 'x5c_modern_p12';

async function run() {
  const { cases } = await (await fetch('/vectors/grants.json')).json();
  const c = cases.find((c) => c.name === CASE);
  const p12 = new Uint8Array(await (await fetch(`/vectors/${c.key.file}`)).arrayBuffer());
  const key = Key.fromPkcs12(p12, c.key.password);
  const options = { clientId: c.client.client_id, key, environment: c.client.environment };
  const grant = { scopes: c.grant.scopes, now: c.now, jti: c.jti };
  const web = new Client(options);
  const wasm = new Client({ ...options, signer: 'wasm' });
  return { case: CASE, signer: web.signer, webcrypto: await web.grant(grant), wasm: await wasm.grant(grant) };
}

run().then(
  (result) => { window.__result = { ok: true, ...result }; },
  (e) => { window.__result = { ok: false, message: String((e && e.stack) || e) }; },
);
