// Shared by the node --test files. They run against the *installed* tarball: `maskinporten`
// resolves to node_modules/maskinporten in the temp folder scripts/test-wasm creates.
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { Client, Key } from 'maskinporten';

export const VECTORS = process.env.MASKINPORTEN_VECTORS ?? new URL('../../tests/vectors', import.meta.url).pathname;

export function vectorFile(name) {
  return JSON.parse(readFileSync(join(VECTORS, name), 'utf8'));
}

export function readVector(relative, encoding) {
  return readFileSync(join(VECTORS, relative), encoding);
}

/** Loads a vector KEY spec with the package's own key readers. */
export function loadKey(spec) {
  switch (spec.type) {
    case 'pkcs12':
      return Key.fromPkcs12(readVector(spec.file), spec.password, spec.alias ?? undefined);
    case 'jks':
      return Key.fromJks(readVector(spec.file), spec.password, spec.alias ?? undefined, spec.key_password ?? undefined);
    case 'pem': {
      const key = Key.fromPem(readVector(spec.key_file, 'utf8'), spec.cert_file ? readVector(spec.cert_file, 'utf8') : undefined);
      return spec.kid ? key.withKid(spec.kid) : key;
    }
    case 'jwk':
      return Key.fromJwk(readVector(spec.file, 'utf8'));
    default:
      throw new Error(`vector key type ${spec.type} is not known to this harness`);
  }
}

/** A Client for a vector CLIENT spec. */
export function makeClient(spec, key, extra = {}) {
  return new Client({
    clientId: spec.client_id,
    key,
    environment: spec.environment,
    algorithm: spec.algorithm ?? undefined,
    lifetime: spec.lifetime ?? undefined,
    x5c: spec.x5c ?? undefined,
    ...extra,
  });
}

/** Vector GRANT (snake_case JSON) as JS grant options. */
export function grantOptions(g, now, jti) {
  const o = { scopes: g.scopes };
  if (g.resource != null) o.resource = g.resource;
  if (g.consumer_org != null) o.consumerOrg = g.consumer_org;
  if (g.iss_onbehalfof != null) o.issOnbehalfof = g.iss_onbehalfof;
  if (g.pid != null) o.pid = g.pid;
  if (g.authorization_details != null) o.authorizationDetails = g.authorization_details;
  if (now != null) o.now = now;
  if (jti != null) o.jti = jti;
  return o;
}

export function decodeJwt(jwt) {
  const [h, c] = jwt.split('.');
  const part = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  return { header: part(h), claims: part(c) };
}

/**
 * Starts the simulator on a free port and resolves once it prints its JSON ready line.
 * Returns `{ issuer, tokenEndpoint, port, admin(path, init), stop() }`.
 */
export async function startSimulator() {
  const bin = process.env.MASKINPORTEN_SIMULATOR;
  const config = process.env.MASKINPORTEN_SIM_CONFIG;
  if (!bin || !config) throw new Error('MASKINPORTEN_SIMULATOR and MASKINPORTEN_SIM_CONFIG must be set (scripts/test-wasm sets them)');
  const child = spawn(bin, ['--config', config, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const lines = createInterface({ input: child.stdout });
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator printed no ready line in 30 s: ${stderr}`)), 30_000);
    lines.once('line', (line) => { clearTimeout(timer); resolve(line); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`simulator exited with ${code}: ${stderr}`)); });
  });
  const info = JSON.parse(ready);
  const base = info.issuer.replace(/\/$/, '');
  return {
    issuer: info.issuer,
    tokenEndpoint: info.token_endpoint,
    port: info.port,
    altinnPlatform: info.altinn_platform,
    async admin(path, init = {}) {
      const res = await fetch(`${base}${path}`, {
        ...init,
        headers: init.body ? { 'content-type': 'application/json' } : undefined,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
    stop() {
      lines.close();
      child.kill();
    },
  };
}
