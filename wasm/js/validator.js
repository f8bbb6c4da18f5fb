// For API providers: executes the core's validation flow (JWKS fetching on first use, when stale
// and for an unknown kid; single flight; outages) with `fetch`, and verifies signatures with the
// platform's RSA (`node:crypto`, else WebCrypto, else the core's own in WebAssembly). Every check
// and every HTTP answer to a refusal (`error.rejection`, RFC 6750) is the core's.
import * as core from '../pkg/wasm/maskinporten_wasm.js';
import { environmentOf } from './client.js';
import { fail, oneOf, optionalFunction, optionalSignal, optionsObject } from './checks.js';
import { drain, send, Waiters } from './executor.js';
import { requirementsOf, validatorArgs } from './options.js';
import { NODE_HASH, platformNode, platformSubtle } from './platform.js';

const encoder = new TextEncoder();

/**
 * A token that passed every check (see `ValidatedToken` in index.d.ts): the core's typed fields,
 * and `claims`, the raw claims, parsed from the signed JSON text when first read (most APIs read
 * the typed fields only).
 */
class ValidatedToken {
  #claims;
  #text;

  constructor(text) {
    // The core's typed fields as JSON text, a NUL, and the claims' JSON text as signed.
    const end = text.indexOf('\0');
    const typed = JSON.parse(text.slice(0, end));
    this.consumer = typed.consumer;
    this.consumerOrg = typed.consumerOrg;
    this.supplier = typed.supplier;
    this.delegationSource = typed.delegationSource;
    this.clientId = typed.clientId;
    this.clientAmr = typed.clientAmr;
    this.scopes = typed.scopes;
    this.audience = typed.audience;
    this.pid = typed.pid;
    this.issuedAt = typed.issuedAt;
    this.expiresAt = typed.expiresAt;
    this.jti = typed.jti;
    this.authorizationDetails = typed.authorizationDetails;
    this.#text = text.slice(end + 1);
  }

  /** Every claim, raw. */
  get claims() {
    if (this.#text !== undefined) {
      this.#claims = JSON.parse(this.#text);
      this.#text = undefined;
    }
    return this.#claims;
  }

  toJSON() {
    return { ...this, claims: this.claims };
  }
}

const validated = (text) => new ValidatedToken(text);

const VERIFIERS = ['auto', 'node', 'webcrypto', 'wasm'];
const VALIDATOR_OPTIONS = ['environment', 'algorithms', 'leeway', 'maxJwksAge', 'minRefetchInterval', 'jwksTimeoutMs',
  'fetch', 'now', 'onEvent', 'verifier', 'subtle'];

// node:crypto's verify for the core, called synchronously from the validation flow: the issuer
// key of each slot is imported once (`jwk` comes with a slot's first use); `null` when node cannot
// use a key, and the core verifies instead.
function nodeVerifier(node, keys) {
  return {
    verify(slot, bits, data, signature, jwk) {
      let key = keys.get(slot);
      if (key === undefined) {
        if (jwk === undefined) return null;
        try {
          key = node.createPublicKey({ key: JSON.parse(jwk), format: 'jwk' });
        } catch {
          key = null;
        }
        keys.set(slot, key);
      }
      if (key === null) return null;
      try {
        return node.verify(NODE_HASH[bits], data, key, signature);
      } catch {
        return null;
      }
    },
  };
}

/**
 * Validates Maskinporten access tokens of one issuer, fetching its JWKS when the core says so
 * (first use, older than `maxJwksAge`, or an unknown `kid`, rate-limited).
 *
 * ```js
 * const validator = new TokenValidator({ environment: 'prod' });
 * const token = await validator.validate(request.headers.authorization, { scopes: ['my:scope'] });
 * token.consumerOrg; // '991825827'
 * ```
 */
export class TokenValidator {
  #core;
  #fetch;
  #now;
  #onEvent;
  #subtle;
  #mode;
  #waiters;
  #generation;
  /** key slot -> the imported platform key (node: a KeyObject or null; WebCrypto: { promise, key }). */
  #keys = new Map();
  /** The core's token buffer, viewed (see `validate`). */
  #buffer;

  /**
   * @param {object} options
   * @param {string|core.Environment} options.environment `"test"`, `"prod"`, an issuer URL or an `Environment`
   * @param {string[]} [options.algorithms] allow-list, default RS256, RS384, RS512
   * @param {number} [options.leeway] seconds of clock leeway for exp/iat/nbf (default 10)
   * @param {number} [options.maxJwksAge] seconds before the JWKS is refetched (default 86400)
   * @param {number} [options.minRefetchInterval] seconds between refetches for unknown kids and after failures (default 60)
   * @param {number} [options.jwksTimeoutMs] per JWKS request (default 10000)
   * @param {typeof fetch} [options.fetch] default `globalThis.fetch`
   * @param {() => number} [options.now] the clock in Unix **milliseconds**, default `Date.now`
   * @param {(event: object) => void} [options.onEvent] receives JWKS events (`{ event, level, message, ...fields }`)
   * @param {string} [options.verifier] `"auto"` (default: `node:crypto`, else WebCrypto, else WebAssembly), `"node"`, `"webcrypto"` or `"wasm"`
   * @param {SubtleCrypto} [options.subtle] instead of `globalThis.crypto.subtle`
   */
  constructor(options) {
    if (options === undefined || options === null) fail('options', 'new TokenValidator({ environment }) needs its options', 'invalid_environment');
    const given = optionsObject(options, 'options', VALIDATOR_OPTIONS);
    const { environment, fetch: fetchImpl, now, onEvent, verifier = 'auto', subtle } = given;
    oneOf(verifier, 'verifier', VERIFIERS);
    const node = platformNode();
    const webcrypto = subtle ?? platformSubtle();
    this.#mode = verifier === 'auto' ? (node ? 'node' : webcrypto ? 'webcrypto' : 'wasm') : verifier;
    if (this.#mode === 'node' && !node) fail('verifier', 'node:crypto is not available in this runtime: use verifier "webcrypto" or "wasm"');
    if (this.#mode === 'webcrypto' && !webcrypto) fail('verifier', 'WebCrypto (crypto.subtle) is not available in this runtime: use verifier "wasm"');
    this.#subtle = webcrypto;
    this.#fetch = optionalFunction(fetchImpl, 'fetch', globalThis.fetch?.bind(globalThis));
    this.#now = optionalFunction(now, 'now', Date.now);
    this.#onEvent = optionalFunction(onEvent, 'onEvent', undefined);
    const sync = this.#mode === 'node' ? nodeVerifier(node, this.#keys) : undefined;
    this.#core = new core.CoreValidator(environmentOf(environment), ...validatorArgs(given), this.#mode !== 'wasm', sync, !!this.#onEvent);
    this.#generation = this.#core.generation;
    this.#waiters = new Waiters(this.#generation);
  }

  /** Where `validate()` verifies signatures: `"node"`, `"webcrypto"` or `"wasm"`. */
  get verifier() {
    return this.#mode;
  }

  /** Whether a JWKS is loaded. */
  get hasJwks() {
    return this.#core.hasJwks;
  }

  /** Loads a JWKS body you fetched yourself (then `validateSync` needs no fetch). */
  updateJwks(jwks) {
    this.#core.updateJwks(jwks, this.#now());
    this.#changed();
  }

  /**
   * Validates `"Bearer <token>"` (scheme in any case) or a bare token against `requirements`
   * (`{ scopes, scopeMatch?: "any"|"all", audience?, requirePid?, consumerOrgs?,
   * anyScopeUnchecked? }`: a scope or an audience is required, or the explicit
   * `anyScopeUnchecked: true`) and returns its claims, typed. Throws `MaskinportenError` whose
   * `code` names the failed check and whose `rejection` is the HTTP answer to send.
   */
  async validate(token, requirements, options) {
    const { signal } = optionsObject(options, 'options', ['signal']);
    const wanted = requirementsOf(requirements);
    const now = this.#now();
    let result;
    // The token goes into the module's memory with TextEncoder.encodeInto: wasm-bindgen's string
    // passing copies ASCII character by character in JS, which costs more than parsing the token.
    let buffer = this.#buffer;
    if (buffer === undefined || buffer.byteLength === 0) buffer = this.#buffer = this.#core.tokenBuffer();
    if (typeof token === 'string' && token.length * 3 <= buffer.length) {
      result = this.#core.validateBuffered(encoder.encodeInto(token, buffer).written, now, wanted);
    } else {
      result = this.#core.validate(token, now, wanted);
    }
    if (result instanceof core.CoreValidation) return this.#continue(result, optionalSignal(signal));
    return validated(result);
  }

  /** Validates without any I/O, verifying in WebAssembly (the JWKS must be loaded). */
  validateSync(token, requirements) {
    return validated(this.#core.validateSync(token, this.#now(), requirementsOf(requirements)));
  }

  // The flow's steps that need I/O: JWKS fetches, waiting for another request's fetch, and
  // WebCrypto's asynchronous verification.
  async #continue(validation, signal) {
    try {
      for (;;) {
        const step = validation.step;
        if (step.kind === 'verify') return validated(await this.#verify(validation, step));
        if (step.kind === 'fetch') {
          await this.#fetchJwks(validation, step, signal);
        } else {
          await this.#waiters.wait(step.untilMs - this.#now(), signal);
        }
        const result = this.#core.poll(validation, this.#now());
        if (result !== undefined) return validated(result);
      }
    } finally {
      this.#core.cancel(validation); // releases a fetch this validation held, if it was abandoned
      this.#changed();
      validation.free();
    }
  }

  async #fetchJwks(validation, step, signal) {
    if (!this.#fetch) fail('fetch', 'no fetch in this runtime: pass options.fetch, or load the keys with updateJwks()');
    const answer = await send(this.#fetch, step.request, step.timeoutAtMs - this.#now(), signal);
    if (answer.failure) {
      this.#core.handleJwksFailure(validation, answer.failure, answer.detail, this.#now());
    } else {
      this.#core.handleJwksResponse(validation, answer.status, answer.contentType, answer.body, this.#now());
    }
    this.#changed();
  }

  // WebCrypto: the issuer key imported once per slot; a refused key or call leaves the check to
  // the core (verdict null).
  async #verify(validation, step) {
    let entry = this.#keys.get(step.slot);
    if (!entry) {
      const promise = this.#subtle.importKey('jwk', validation.publicJwk(),
        { name: 'RSASSA-PKCS1-v1_5', hash: step.webCryptoHash }, false, ['verify']);
      entry = { promise, key: undefined };
      this.#keys.set(step.slot, entry);
      promise.then((key) => { entry.key = key; }, () => { if (this.#keys.get(step.slot) === entry) this.#keys.delete(step.slot); });
    }
    let verdict = null;
    try {
      verdict = (await validation.verifyWith(this.#subtle, entry.key ?? await entry.promise)) === true;
    } catch {
      verdict = null;
    }
    return this.#core.conclude(validation, verdict);
  }

  // After every report to the validator: wake the requests waiting for it, drop the imported
  // keys when a new JWKS came, pass its events on.
  #changed() {
    const generation = this.#core.generation;
    if (generation !== this.#generation) {
      this.#generation = generation;
      this.#keys.clear();
      this.#waiters.changed(generation);
    }
    if (this.#onEvent) drain(this.#core, this.#onEvent);
  }

  toString() {
    return `TokenValidator(${this.#mode})`;
  }
}

/** Reads the `Authorization` header: see the core's `bearerToken`. */
export const bearerToken = core.bearerToken;

function checkValidator(validator) {
  if (!(validator instanceof TokenValidator)) fail('validator', 'the first argument must be a TokenValidator');
}

/**
 * Express/Connect-style middleware (also plain `node:http`): validates the request's bearer
 * token, puts the validated token on `req.maskinporten` (or `options.property`) and calls
 * `next()`; otherwise answers with the core's rejection (401 with a bare `Bearer` challenge
 * without a token, 401 `invalid_token`, 403 `insufficient_scope`, 503 when the issuer's keys
 * cannot be had, 500 for a misconfiguration). The requirements are checked here, at start-up.
 */
export function expressMiddleware(validator, requirements, options) {
  checkValidator(validator);
  requirementsOf(requirements);
  const { property = 'maskinporten' } = optionsObject(options, 'options', ['property']);
  if (typeof property !== 'string') fail('property', 'property must be a string');
  return async function maskinportenMiddleware(req, res, next) {
    let token;
    try {
      token = await validator.validate(bearerToken(req.headers?.authorization), requirements);
    } catch (e) {
      if (!e?.rejection) return next ? next(e) : Promise.reject(e);
      const { status, headers, body } = e.rejection;
      res.statusCode = status;
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      return res.end(body);
    }
    req[property] = token;
    return next?.();
  };
}

/**
 * For fetch-style handlers (Cloudflare Workers, Deno, Bun, Next.js route handlers): `{ token }`
 * when the request carries a valid token, else `{ response }`, the core's rejection as a
 * `Response` to return as is.
 */
export async function validateRequest(validator, request, requirements) {
  checkValidator(validator);
  if (typeof request?.headers?.get !== 'function') fail('request', 'request must be a fetch Request');
  try {
    return { token: await validator.validate(bearerToken(request.headers.get('authorization')), requirements) };
  } catch (e) {
    if (!e?.rejection) throw e;
    const { status, headers, body } = e.rejection;
    return { response: new Response(body, { status, headers }) };
  }
}
