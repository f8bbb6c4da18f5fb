// For API providers: the core's access-token validator with a fetch adapter for the issuer's
// JWKS, an Express-style middleware and a fetch-`Request` helper for edge runtimes. Every check
// (alg allow-list, kid, iss, exp/iat/nbf, token_type, scope, aud, pid, consumer) is the core's;
// this file fetches the JWKS when the core asks, runs the RSA verification the core prepared in
// WebCrypto (native, much faster than RSA in WebAssembly) and maps outcomes to HTTP.
import * as core from '../pkg/wasm/maskinporten_wasm.js';
import { platformSubtleCrypto, unixNow } from './client.js';
import { isMaskinportenError, MaskinportenError } from './errors.js';

const encoder = new TextEncoder();

function environmentOf(environment) {
  return typeof environment === 'string' ? core.Environment.fromName(environment) : environment;
}

/**
 * Validates Maskinporten access tokens of one issuer, fetching its JWKS when needed (first use,
 * older than `maxJwksAge`, or an unknown `kid`, rate-limited by the core).
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
  #timeoutMs;
  #inflight;
  #subtle;
  /** key slot (kid + alg) -> { promise, key }: the imported CryptoKey, emptied whenever a new JWKS is loaded. */
  #keys = new Map();
  /** requirements object -> { text, converted }: the core's conversion, redone when the object's JSON changes. */
  #requirements = new WeakMap();

  /**
   * @param {object} options
   * @param {string|core.Environment} options.environment `"test"`, `"prod"`, an issuer URL or an `Environment`
   * @param {string[]} [options.algorithms] allow-list, default RS256, RS384, RS512
   * @param {number} [options.leeway] seconds of clock leeway for exp/iat/nbf
   * @param {number} [options.maxJwksAge] seconds before the JWKS is refetched
   * @param {number} [options.minRefetchInterval] seconds between refetches for unknown kids
   * @param {typeof fetch} [options.fetch] default `globalThis.fetch`
   * @param {number} [options.timeoutMs] JWKS request timeout, default 10000
   * @param {() => number} [options.now] clock in Unix seconds (tests)
   * @param {string} [options.verifier] `"auto"` (default: WebCrypto when available), `"webcrypto"` or `"wasm"`
   * @param {SubtleCrypto} [options.subtle] instead of `globalThis.crypto.subtle`
   */
  constructor({ environment, algorithms, leeway, maxJwksAge, minRefetchInterval, fetch: fetchImpl, timeoutMs = 10_000, now,
    verifier = 'auto', subtle } = {}) {
    if (environment === undefined || environment === null) {
      throw core.invalidArgument('invalid_environment', 'environment', 'environment is required: "test", "prod" or an issuer URL');
    }
    if (!['auto', 'webcrypto', 'wasm'].includes(verifier)) {
      throw core.invalidArgument('invalid_argument', 'verifier', 'verifier must be "auto", "webcrypto" or "wasm"');
    }
    this.#subtle = verifier === 'wasm' ? undefined : (subtle ?? platformSubtleCrypto());
    if (verifier === 'webcrypto' && !this.#subtle) {
      throw core.invalidArgument('invalid_argument', 'verifier',
        'WebCrypto (crypto.subtle) is not available in this runtime: use verifier "wasm"');
    }
    this.#core = new core.Validator(environmentOf(environment), { algorithms, leeway, maxJwksAge, minRefetchInterval });
    this.#fetch = fetchImpl ?? globalThis.fetch?.bind(globalThis);
    this.#now = now ?? unixNow;
    this.#timeoutMs = timeoutMs;
  }

  /** Which verifier `validate()` uses: `"webcrypto"` or `"wasm"`. */
  get verifier() {
    return this.#subtle ? 'webcrypto' : 'wasm';
  }

  /** Hands a JWKS body to the validator yourself (instead of letting it fetch). */
  updateJwks(body, now) {
    this.#core.updateJwks(body, now ?? this.#now());
    this.#keys.clear();
  }

  /**
   * Validates a token (`"Bearer ..."` or bare) against `requirements`
   * (`{ scopes, scopeMatch?: "any"|"all", audience?, requirePid?, consumerOrgs? }`) and returns
   * its claims, typed. Throws `MaskinportenError` whose `code` names the failed check.
   */
  async validate(token, requirements, { now } = {}) {
    const at = now ?? this.#now();
    const request = this.#core.jwksRequest(at);
    if (request || !this.#core.hasJwks) await this.#refresh(at, request);
    const text = String(token ?? '');
    try {
      return await this.#check(text, at, requirements);
    } catch (e) {
      // A new signing key at the issuer: refetch (the core rate-limits) and try once more.
      const again = isMaskinportenError(e) && e.code === 'unknown_kid' ? this.#core.jwksRequest(at) : undefined;
      if (again) {
        await this.#refresh(at, again);
        return await this.#check(text, at, requirements);
      }
      throw e;
    }
  }

  /** Validates without any I/O, verifying in WebAssembly (the JWKS must be loaded). */
  validateSync(token, requirements, now) {
    const converted = this.#converted(requirements);
    return this.#core.validateWith(String(token ?? ''), now ?? this.#now(), converted);
  }

  // The requirements as the core's ValidationRequirements: converted (and checked) by the core on
  // first use of an object, then reused while the object's JSON form stays the same.
  #converted(requirements) {
    let text;
    try {
      text = typeof requirements === 'object' && requirements !== null ? JSON.stringify(requirements) : undefined;
    } catch {
      text = undefined; // not JSON-serializable (cycle, BigInt): converted on every call
    }
    if (text === undefined) return new core.ValidationRequirements(requirements);
    const entry = this.#requirements.get(requirements);
    if (entry?.text === text) return entry.converted;
    const converted = new core.ValidationRequirements(requirements);
    this.#requirements.set(requirements, { text, converted });
    return converted;
  }

  // The core prepares (requirements, parse, alg allow-list, kid), WebCrypto verifies while the
  // core checks the claims, the core finishes (signature verdict first, then the claims'
  // outcome): the same checks and the same answer as core.validate.
  async #check(token, now, requirements) {
    const converted = this.#converted(requirements);
    if (!this.#subtle) return this.#core.validateWith(token, now, converted);
    const pending = this.#prepare(token, now, converted);
    try {
      let valid;
      try {
        const id = pending.keySlot;
        const key = this.#keys.get(id)?.key ?? await this.#publicKey(pending, id);
        // subtle.verify on views of the core's bytes (WebCrypto copies them before returning);
        // while it runs, the core checks the claims and holds the outcome until the verdict.
        const verifying = pending.verifyWith(this.#subtle, key);
        this.#core.checkClaimsUnverified(pending);
        valid = await verifying;
      } catch {
        // WebCrypto refused this issuer key or the call: the core verifies instead.
        return this.#core.validateWith(token, now, converted);
      }
      return this.#core.finishValidation(pending, valid === true);
    } finally {
      pending.free();
    }
  }

  // The token goes into the module's memory with TextEncoder.encodeInto: wasm-bindgen's string
  // passing copies ASCII character by character in JS, which costs more than parsing the token.
  #prepare(token, now, converted) {
    const buffer = this.#core.tokenBuffer(token.length);
    if (!buffer) return this.#core.prepareValidationWith(token, now, converted);
    const { written } = encoder.encodeInto(token, buffer);
    return this.#core.prepareValidationBuffered(written, now, converted);
  }

  // The issuer key as a CryptoKey, imported once per kid and algorithm ({ promise, key? }).
  #publicKey(pending, id) {
    let entry = this.#keys.get(id);
    if (!entry) {
      const promise = this.#subtle.importKey('jwk', pending.publicJwk(),
        { name: 'RSASSA-PKCS1-v1_5', hash: pending.webCryptoHash }, false, ['verify']);
      entry = { promise, key: undefined };
      this.#keys.set(id, entry);
      promise.then((key) => { entry.key = key; }, () => { if (this.#keys.get(id) === entry) this.#keys.delete(id); });
    }
    return entry.promise;
  }

  // `request`: what the core's jwksRequest(now) answered. The core decides when to fetch: first
  // use, a stale JWKS, an unknown kid, and not again within the minimum refetch interval after a
  // failed fetch.
  async #refresh(now, request) {
    if (!request) {
      if (!this.#core.hasJwks) {
        throw core.unavailableError('the JWKS could not be fetched recently; not retrying before the minimum refetch interval');
      }
      return;
    }
    if (!this.#inflight) {
      this.#inflight = this.#fetchJwks(request, now).finally(() => { this.#inflight = undefined; });
    }
    try {
      await this.#inflight;
    } catch (e) {
      if (!this.#core.hasJwks) throw e; // nothing to validate with
    }
  }

  async #fetchJwks(request, now) {
    if (typeof this.#fetch !== 'function') {
      throw core.invalidArgument('invalid_argument', 'fetch', 'no fetch in this runtime: pass options.fetch or call updateJwks()');
    }
    let response;
    let body;
    try {
      const signal = typeof AbortSignal?.timeout === 'function' ? AbortSignal.timeout(this.#timeoutMs) : undefined;
      response = await this.#fetch(request.url, { method: request.method, headers: request.headers, redirect: 'manual', signal });
      body = new Uint8Array(await response.arrayBuffer());
    } catch (e) {
      this.#core.jwksFetchFailed(now);
      throw core.unavailableError(`JWKS request to ${request.url} failed: ${e?.name ?? 'Error'}: ${e?.message ?? e}`.slice(0, 300));
    }
    // The core reads the status: a non-200 or a malformed body keeps the keys held and backs off.
    this.#core.updateJwksResponse(response.status, body, now)
    this.#keys.clear();
  }
}

// RFC 6750: a bad token is 401 invalid_token; a good token without the rights is 403.
const FORBIDDEN = new Set(['insufficient_scope', 'consumer_not_allowed', 'audience_mismatch', 'pid_missing']);

/** The HTTP answer for a failed validation: `{ status, headers, body }` (no token echoed). */
export function rejection(error) {
  if (!isMaskinportenError(error)) {
    return { status: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'server_error' }) };
  }
  if (error.retryable) {
    return { status: 503, headers: { 'content-type': 'application/json', 'retry-after': '5' },
      body: JSON.stringify({ error: 'temporarily_unavailable', error_description: 'cannot check tokens right now' }) };
  }
  const forbidden = FORBIDDEN.has(error.code);
  const oauth = forbidden ? 'insufficient_scope' : 'invalid_token';
  const description = error.code === 'missing_token' ? 'no bearer token' : error.code;
  return {
    status: forbidden ? 403 : 401,
    headers: {
      'content-type': 'application/json',
      'www-authenticate': `Bearer error="${oauth}", error_description="${description}"`,
    },
    body: JSON.stringify({ error: oauth, error_description: description }),
  };
}

function bearer(header) {
  return typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : null;
}

function missingToken() {
  // The only error made in JS: there is no token to hand to the core at all.
  return new MaskinportenError('no "Authorization: Bearer" header in the request', { code: 'missing_token', field: 'authorization' });
}

/**
 * Express/Connect-style middleware (also plain `node:http`): validates the bearer token, puts
 * the validated token on `req.maskinporten` (or `options.property`) and calls `next()`; answers
 * 401/403/503 itself otherwise.
 */
export function expressMiddleware(validator, requirements, { property = 'maskinporten' } = {}) {
  return async function maskinportenMiddleware(req, res, next) {
    try {
      const token = bearer(req.headers?.authorization);
      if (!token) throw missingToken();
      req[property] = await validator.validate(token, requirements);
    } catch (e) {
      if (!isMaskinportenError(e)) return next?.(e);
      const answer = rejection(e);
      res.statusCode = answer.status;
      for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
      return res.end(answer.body);
    }
    return next?.();
  };
}

/**
 * For fetch-style handlers (Cloudflare Workers, Deno, Bun, Next.js route handlers): returns
 * `{ token }` when the request carries a valid token, else `{ response }`, a 401/403/503
 * `Response` to return as is.
 */
export async function validateRequest(validator, request, requirements) {
  try {
    const token = bearer(request.headers.get('authorization'));
    if (!token) throw missingToken();
    return { token: await validator.validate(token, requirements) };
  } catch (e) {
    if (!isMaskinportenError(e)) throw e;
    const answer = rejection(e);
    return { response: new Response(answer.body, { status: answer.status, headers: answer.headers }) };
  }
}
