// Internal: what every entry point does once the WebAssembly module is instantiated.
import { AccessToken, Environment, Key, PreparedGrant, setErrorClass } from '../pkg/wasm/maskinporten_wasm.js';
import { MaskinportenError } from './errors.js';

/** Makes the Rust side throw `MaskinportenError` instances. */
export function registerErrorClass() {
  setErrorClass(MaskinportenError);
}

const utc = (seconds) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

// Descriptions of the module's classes, from their public getters only (no private key, no
// token, no grant), for String(), template strings, and Node's `util.inspect` and console.log,
// even with `{ getters: true }`, which would otherwise read `accessToken` and the like.
const descriptions = new Map([
  [Key, (key) => {
    const cert = key.certificate;
    const id = key.kid !== undefined ? `kid ${key.kid}` : cert ? `x5c "${cert.subject}"` : 'no kid, no certificate';
    const valid = cert ? `, certificate valid until ${utc(cert.notAfter)}` : '';
    return `Key(${id}${valid}, ${key.canSign ? 'can sign' : 'no private key'}, fingerprint ${key.fingerprint})`;
  }],
  [AccessToken, (token) => `AccessToken(${token.tokenType}, scope ${JSON.stringify(token.scope ?? null)}, expires ${utc(token.expiresAt)})`],
  [Environment, (environment) => `Environment(${environment.issuer})`],
  [PreparedGrant, (prepared) => `PreparedGrant(${prepared.algorithm}, ${prepared.signingInputBytes().length} bytes to sign)`],
]);
// JSON.stringify of a token: everything except the token itself.
Object.defineProperty(AccessToken.prototype, 'toJSON', {
  value() {
    return { tokenType: this.tokenType, expiresIn: this.expiresIn, scope: this.scope ?? null, expiresAt: this.expiresAt };
  },
  configurable: true,
  writable: true,
});

for (const [Class, describe] of descriptions) {
  const toString = function toString() {
    try {
      return this.__wbg_ptr ? describe(this) : `${Class.name}(freed)`;
    } catch {
      return `${Class.name}(finished)`;
    }
  };
  Object.defineProperty(Class.prototype, 'toString', { value: toString, configurable: true, writable: true });
  Object.defineProperty(Class.prototype, Symbol.for('nodejs.util.inspect.custom'), { value: toString, configurable: true });
}
