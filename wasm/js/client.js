// The JS face of the core's `Client`: argument conversion plus the WebCrypto signing path.
// Everything protocol-related (claims, headers, validation, response parsing) happens in the core.
import * as core from '../pkg/wasm/maskinporten_wasm.js';

let platformSubtle = globalThis.crypto?.subtle;

/** @internal Set by the Node entry point for Node 18, where `globalThis.crypto` may be absent. */
export function setSubtle(subtle) {
  if (!platformSubtle && subtle) platformSubtle = subtle;
}

/** @internal The runtime's `SubtleCrypto`, or undefined (shared with the validator). */
export function platformSubtleCrypto() {
  return platformSubtle;
}

/** The current time as Unix seconds: what `now` defaults to everywhere. */
export function unixNow() {
  return Math.floor(Date.now() / 1000);
}

function environmentOf(environment) {
  if (environment === undefined || environment === null) {
    throw core.invalidArgument('invalid_environment', 'environment',
      'environment is required: "test", "prod", an issuer URL or an Environment');
  }
  return typeof environment === 'string' ? core.Environment.fromName(environment) : environment;
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
  #subtle;
  #cryptoKey;
  #signerMode;
  #ownKey = false; // true when #cryptoKey was imported from the core's own key

  /**
   * @param {object} options
   * @param {string} options.clientId the client's id (a UUID), the grant's `iss`
   * @param {core.Key} options.key from `Key.fromPkcs12`, `Key.fromPem`, `Key.fromJwk` or `Key.fromExternal`
   * @param {string|core.Environment} [options.environment] `"test"`, `"prod"`, an issuer URL or an `Environment`
   * @param {string} [options.algorithm] `"RS256"` (default), `"RS384"` or `"RS512"`
   * @param {number} [options.lifetime] grant lifetime in seconds, 1 to 120 (default 120)
   * @param {string} [options.x5c] `"leaf"` (default) or `"full_chain"`
   * @param {CryptoKey} [options.cryptoKey] your own WebCrypto RSASSA-PKCS1-v1_5 private key to sign with
   * @param {string} [options.signer] `"auto"` (default: WebCrypto when available), `"webcrypto"` or `"wasm"`
   */
  constructor({ clientId, key, environment, algorithm, lifetime, x5c, cryptoKey, signer = 'auto', subtle } = {}) {
    if (!['auto', 'webcrypto', 'wasm'].includes(signer)) {
      throw core.invalidArgument('invalid_argument', 'signer', 'signer must be "auto", "webcrypto" or "wasm"');
    }
    if (!(key instanceof core.Key)) {
      throw core.invalidArgument('invalid_key', 'key', 'key must be a Key (Key.fromPkcs12, Key.fromPem, Key.fromJwk, Key.fromExternal)');
    }
    this.#core = new core.CoreClient(clientId, key, environmentOf(environment), algorithm, lifetime, x5c);
    this.#key = key;
    this.#subtle = subtle ?? platformSubtle;
    this.#signerMode = signer;
    if (cryptoKey) {
      this.#cryptoKey = Promise.resolve(cryptoKey);
    }
    if (signer === 'webcrypto' && !this.#subtle) {
      throw core.invalidArgument('missing_signing_key', 'signer',
        'WebCrypto (crypto.subtle) is not available in this runtime: use signer "wasm"');
    }
  }

  /** The signing algorithm, e.g. `"RS256"`. */
  get algorithm() {
    return this.#core.algorithm;
  }

  /** Which signer `grant()` uses: `"webcrypto"` or `"wasm"`. */
  get signer() {
    if (this.#signerMode === 'wasm') return 'wasm';
    if (this.#cryptoKey) return 'webcrypto';
    if (this.#subtle && this.#key.hasPrivateKey) return 'webcrypto';
    return 'wasm';
  }

  // Imports the key's PKCS#8 into WebCrypto once, non-extractable; null when signing in wasm.
  #webCryptoKey() {
    if (this.signer !== 'webcrypto') return null;
    if (!this.#cryptoKey) {
      const der = this.#key.privateKeyPkcs8Der();
      const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: this.#core.webCryptoHash };
      this.#cryptoKey = this.#subtle.importKey('pkcs8', der, algorithm, false, ['sign'])
        .catch((e) => {
          throw core.invalidArgument('invalid_key', 'key', `WebCrypto refused the key (${e?.name ?? 'Error'}): use signer "wasm"`);
        })
        .finally(() => der.fill(0));
      this.#ownKey = true;
      // A failed import is reported by the grant that awaits it, and retried by the next.
      this.#cryptoKey.catch(() => { this.#cryptoKey = undefined; this.#ownKey = false; });
    }
    return this.#cryptoKey;
  }

  /**
   * Builds and signs a grant (the JWT assertion). Uses WebCrypto when available, else the core's
   * signer. `now` (Unix seconds) and `jti` default to the clock and a fresh UUID.
   * @returns {Promise<string>}
   */
  async grant(options = {}) {
    const cryptoKey = this.#webCryptoKey();
    if (!cryptoKey) return this.grantSync(options);
    // Imported from the very PKCS#8 the core parsed: the signature cannot be from another key,
    // so the core only checks its length. A user's own CryptoKey is verified against the key.
    const ownKey = this.#ownKey;
    const prepared = this.prepareGrant(options);
    try {
      const key = await cryptoKey;
      let signature;
      try {
        signature = await this.#subtle.sign('RSASSA-PKCS1-v1_5', key, prepared.signingInputBytes());
      } catch (e) {
        throw core.invalidArgument('invalid_key', 'cryptoKey',
          `WebCrypto could not sign with this key (${e?.name ?? 'Error'}): it must be an RSASSA-PKCS1-v1_5 private key with the "sign" usage`);
      }
      return ownKey ? prepared.finishUnverified(new Uint8Array(signature)) : prepared.finish(new Uint8Array(signature));
    } finally {
      prepared.free();
    }
  }

  /** Builds and signs a grant synchronously with the core's own RSA (in WebAssembly). */
  grantSync(options = {}) {
    return this.#core.grant(options, options.now ?? unixNow(), options.jti);
  }

  /**
   * Step one of external signing: the grant's signing input, to be signed with RSASSA-PKCS1-v1_5
   * by an HSM, a KMS or a `CryptoKey`; then `prepared.finish(signature)`.
   * @returns {core.PreparedGrant}
   */
  prepareGrant(options = {}) {
    return this.#core.prepareGrant(options, options.now ?? unixNow(), options.jti);
  }

  /**
   * The HTTP request to send to the token endpoint: `{ method, url, headers, body }`.
   * @returns {Promise<{method: string, url: string, headers: Record<string,string>, body: string}>}
   */
  async tokenRequest(options = {}) {
    return this.#core.tokenRequestForAssertion(await this.grant(options));
  }

  /** `tokenRequest` signed with the core's own RSA, synchronously. */
  tokenRequestSync(options = {}) {
    return this.#core.tokenRequest(options, options.now ?? unixNow(), options.jti);
  }

  /** The token request for a grant you signed yourself. */
  tokenRequestForAssertion(jwt) {
    return this.#core.tokenRequestForAssertion(jwt);
  }

  /**
   * Parses the token endpoint's answer into an `AccessToken`, or throws a `MaskinportenError`.
   * @param {number} status HTTP status
   * @param {Uint8Array|string} body the response body
   * @param {string|null} [contentType]
   * @param {number} [now] Unix seconds, default the clock
   */
  parseTokenResponse(status, body, contentType, now) {
    return this.#core.parseTokenResponse(status, body, contentType ?? undefined, now ?? unixNow());
  }

  /** The cache key for these grant options (covers everything that changes the token). */
  cacheKey(options = {}) {
    return this.#core.cacheKey(options);
  }

  /** Frees the WebAssembly memory behind this client now, instead of at garbage collection. */
  free() {
    this.#core.free();
  }

  toString() {
    return `Client(${this.#core.clientId}, ${this.#core.algorithm}, ${this.signer})`;
  }
}
