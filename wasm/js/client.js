// The JS face of the core's `Client`: argument conversion plus the platform signers
// (`node:crypto` where it exists, else WebCrypto; RSA in WebAssembly as the fallback).
// Everything protocol-related (claims, headers, response parsing) happens in the core.
import * as core from '../pkg/wasm/maskinporten_wasm.js';
import { argumentError } from './errors.js';
import { fail, oneOf, optionalString, optionalWhole, optionsObject } from './checks.js';
import { grantOf } from './options.js';
import { platformNode, platformSubtle } from './platform.js';

/** The current time as Unix seconds: what `now` defaults to in `grant()` and friends. */
export function unixNow() {
  return Math.floor(Date.now() / 1000);
}

/** `"test"`, `"prod"`, an issuer URL or an `Environment`, as the core's `Environment`. */
export function environmentOf(environment) {
  if (typeof environment === 'string') return core.Environment.fromName(environment);
  if (environment instanceof core.Environment) return environment;
  if (environment === undefined || environment === null) {
    return fail('environment', 'environment is required: "test", "prod", an issuer URL or an Environment', 'invalid_environment');
  }
  return fail('environment', 'environment must be "test", "prod", an issuer URL or an Environment');
}

const SIGNERS = ['auto', 'node', 'webcrypto', 'wasm'];
const CLIENT_OPTIONS = ['clientId', 'key', 'environment', 'algorithm', 'lifetime', 'x5c', 'cryptoKey', 'signer', 'subtle'];

/**
 * A request for the token endpoint: pass it to `fetch(request.url, request)`. Its body holds the
 * signed grant, a credential for up to two minutes, so its descriptions (`String()`,
 * `JSON.stringify`, `util.inspect`) leave the body out.
 */
export class TokenRequest {
  #body;

  constructor({ method, url, headers, body }) {
    this.method = method;
    this.url = url;
    this.headers = headers;
    this.#body = body;
  }

  /** The form body with the grant. Secret: do not log it. */
  get body() {
    return this.#body;
  }

  toJSON() {
    return { method: this.method, url: this.url, headers: this.headers, body: '<redacted>' };
  }

  toString() {
    return `TokenRequest(${this.method} ${this.url})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toString();
  }
}

// What the provider needs of a client, kept off the public surface.
const internals = new WeakMap();

/** @internal The core client and the signer of a `Client` (for `TokenProvider`). */
export function clientInternals(client) {
  return internals.get(client);
}

/**
 * A Maskinporten client: one client_id, one key, one environment.
 *
 * ```js
 * const client = new Client({ clientId, key, environment: 'test' });
 * const jwt = await client.grant({ scopes: ['test:scope.read'] });
 * ```
 */
export class Client {
  #core;
  #key;
  #mode;
  #subtle;
  #cryptoKey; // the user's own WebCrypto key (signatures verified against the certificate)
  #ownKey; // the key's PKCS#8 imported into node:crypto (a KeyObject) or WebCrypto (a promise)
  #hashes; // the algorithm's hash, as node:crypto and WebCrypto name it

  /**
   * @param {object} options
   * @param {string} options.clientId the client's id (a UUID), the grant's `iss`
   * @param {core.Key} options.key from `Key.fromPkcs12`, `Key.fromPem`, `Key.fromJwk` or `Key.fromExternal`
   * @param {string|core.Environment} options.environment `"test"`, `"prod"`, an issuer URL or an `Environment`
   * @param {string} [options.algorithm] `"RS256"` (default), `"RS384"` or `"RS512"`
   * @param {number} [options.lifetime] grant lifetime in seconds, 1 to 120 (default 120)
   * @param {string} [options.x5c] `"leaf"` (default) or `"full_chain"`
   * @param {CryptoKey} [options.cryptoKey] your own WebCrypto RSASSA-PKCS1-v1_5 private key to sign with
   * @param {string} [options.signer] `"auto"` (default: `node:crypto` where it exists, else
   *   WebCrypto, else WebAssembly), `"node"`, `"webcrypto"` or `"wasm"`
   * @param {SubtleCrypto} [options.subtle] a `SubtleCrypto` instead of the runtime's
   */
  constructor(options) {
    if (options === undefined || options === null) fail('options', 'new Client({ clientId, key, environment }) needs its options');
    const { clientId, key, environment, algorithm, lifetime, x5c, cryptoKey, signer = 'auto', subtle } =
      optionsObject(options, 'options', CLIENT_OPTIONS);
    oneOf(signer, 'signer', SIGNERS);
    if (!(key instanceof core.Key)) {
      fail('key', 'key must be a Key (Key.fromPkcs12, Key.fromPem, Key.fromJwk, Key.fromExternal)');
    }
    if (cryptoKey !== undefined && (typeof cryptoKey !== 'object' || cryptoKey === null || typeof cryptoKey.type !== 'string')) {
      fail('cryptoKey', 'cryptoKey must be a WebCrypto CryptoKey');
    }
    if (typeof clientId !== 'string') fail('clientId', "clientId must be a string (the client's id, a UUID)");
    this.#core = new core.CoreClient(clientId, key, environmentOf(environment), optionalString(algorithm, 'algorithm'),
      optionalWhole(lifetime, 'lifetime'), optionalString(x5c, 'x5c'));
    this.#key = key;
    this.#subtle = subtle ?? platformSubtle();
    this.#cryptoKey = cryptoKey;
    this.#mode = this.#chooseSigner(signer);
    const hashName = this.#core.hashName;
    this.#hashes = { hashName, webCryptoHash: `SHA-${hashName.slice(3)}` };
    internals.set(this, { core: this.#core, signer: this.#mode, canSign: key.canSign || !!cryptoKey, sign: (input, step) => this.#sign(input, step) });
  }

  #chooseSigner(wanted) {
    if (wanted === 'wasm') return 'wasm';
    if (this.#cryptoKey) {
      if (!this.#subtle) fail('signer', 'a cryptoKey needs WebCrypto (crypto.subtle), which this runtime lacks', 'missing_signing_key');
      return 'webcrypto';
    }
    const canSign = this.#key.canSign;
    if (wanted === 'node' || (wanted === 'auto' && canSign && platformNode())) {
      if (!platformNode()) fail('signer', 'node:crypto is not available in this runtime: use signer "webcrypto" or "wasm"', 'missing_signing_key');
      return 'node';
    }
    if (wanted === 'webcrypto' || (wanted === 'auto' && canSign && this.#subtle)) {
      if (!this.#subtle) fail('signer', 'WebCrypto (crypto.subtle) is not available in this runtime: use signer "wasm"', 'missing_signing_key');
      return 'webcrypto';
    }
    return 'wasm';
  }

  /** The signing algorithm, e.g. `"RS256"`. */
  get algorithm() {
    return this.#core.algorithm;
  }

  /** Which signer `grant()` uses: `"node"` (`node:crypto`), `"webcrypto"` or `"wasm"`. */
  get signer() {
    return this.#mode;
  }

  // The platform key, imported from the PKCS#8 the core parsed, once per client; the DER copy
  // is zeroed once imported.
  #platformKey() {
    if (this.#ownKey) return this.#ownKey;
    const der = this.#key.privateKeyPkcs8Der();
    if (!der) fail('key', 'this key has no private key here (Key.fromExternal): pass cryptoKey, or sign with prepareGrant()', 'missing_signing_key');
    if (this.#mode === 'node') {
      try {
        this.#ownKey = platformNode().createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      } catch (e) {
        throw argumentError('key', `node:crypto refused the key (${e?.code ?? e?.name ?? 'Error'}): use signer "wasm"`, 'invalid_key');
      } finally {
        der.fill(0);
      }
      return this.#ownKey;
    }
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: this.#hashes.webCryptoHash };
    this.#ownKey = this.#subtle.importKey('pkcs8', der, algorithm, false, ['sign'])
      .catch((e) => {
        this.#ownKey = undefined; // reported by the grant awaiting it, and tried again by the next
        throw argumentError('key', `WebCrypto refused the key (${e?.name ?? 'Error'}): use signer "wasm"`, 'invalid_key');
      })
      .finally(() => der.fill(0));
    return this.#ownKey;
  }

  // Signs `input` with the platform: `{ signature, own }`, synchronously with node:crypto (own:
  // the key the core parsed, so the core need not verify the signature again).
  #sign(input, { hashName, webCryptoHash }) {
    if (this.#mode === 'node') {
      return { signature: platformNode().sign(hashName, input, this.#platformKey()), own: true };
    }
    const own = !this.#cryptoKey;
    return (async () => {
      const key = own ? await this.#platformKey() : this.#cryptoKey;
      let signature;
      try {
        signature = await this.#subtle.sign({ name: 'RSASSA-PKCS1-v1_5', hash: webCryptoHash }, key, input);
      } catch (e) {
        throw argumentError('cryptoKey',
          `WebCrypto could not sign with this key (${e?.name ?? 'Error'}): it must be an RSASSA-PKCS1-v1_5 private key with the "sign" usage`, 'invalid_key');
      }
      return { signature: new Uint8Array(signature), own };
    })();
  }

  /**
   * Builds and signs a grant (the JWT assertion) with the client's signer. `now` (Unix seconds)
   * and `jti` default to the clock and a fresh UUID.
   * @returns {Promise<string>}
   */
  async grant(options) {
    const { grant, now, jti } = grantOf(options, true);
    let prepared;
    try {
      if (this.#mode === 'wasm') return this.#core.grant(grant, now, jti);
      prepared = this.#core.prepareGrant(grant, now, jti);
    } finally {
      grant.free(); // the converted options are used once here
    }
    try {
      const signed = this.#sign(prepared.signingInputBytes(), this.#hashes);
      const { signature, own } = signed instanceof Promise ? await signed : signed;
      return own ? this.#core.finishOwn(prepared, signature) : prepared.finish(signature);
    } finally {
      prepared.free();
    }
  }

  /** Builds and signs a grant synchronously with the core's own RSA (in WebAssembly, ~12 ms). */
  grantSync(options) {
    const { grant, now, jti } = grantOf(options, true);
    try {
      return this.#core.grant(grant, now, jti);
    } finally {
      grant.free();
    }
  }

  /**
   * Step one of external signing: the grant's signing input, to be signed with RSASSA-PKCS1-v1_5
   * by an HSM, a KMS or a `CryptoKey`; then `prepared.finish(signature)` (verified, once).
   * @returns {core.PreparedGrant}
   */
  prepareGrant(options) {
    const { grant, now, jti } = grantOf(options, true);
    try {
      return this.#core.prepareGrant(grant, now, jti);
    } finally {
      grant.free();
    }
  }

  /**
   * The HTTP request to send to the token endpoint.
   * @returns {Promise<TokenRequest>}
   */
  async tokenRequest(options) {
    return new TokenRequest(this.#core.tokenRequestForAssertion(await this.grant(options)));
  }

  /** `tokenRequest` signed with the core's own RSA, synchronously. */
  tokenRequestSync(options) {
    const { grant, now, jti } = grantOf(options, true);
    try {
      return new TokenRequest(this.#core.tokenRequest(grant, now, jti));
    } finally {
      grant.free();
    }
  }

  /** The token request for a grant you signed yourself. */
  tokenRequestForAssertion(jwt) {
    return new TokenRequest(this.#core.tokenRequestForAssertion(jwt));
  }

  /**
   * Parses the token endpoint's answer into an `AccessToken`, or throws a `MaskinportenError`.
   * @param {number} status HTTP status
   * @param {Uint8Array|ArrayBuffer|string} body the response body
   * @param {string|null} [contentType]
   * @param {number} [now] Unix seconds, default the clock
   */
  parseTokenResponse(status, body, contentType, now) {
    return this.#core.parseTokenResponse(status, body, contentType, now);
  }

  /** Frees the WebAssembly memory behind this client now, instead of at garbage collection. */
  free() {
    this.#core.free();
  }

  toString() {
    return `Client(${this.#core.clientId}, ${this.#core.algorithm}, ${this.#mode})`;
  }

  toJSON() {
    return { clientId: this.#core.clientId, algorithm: this.#core.algorithm, signer: this.#mode };
  }
}
