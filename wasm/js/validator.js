// For API providers: the core's access-token validator with a fetch adapter for the issuer's
// JWKS, an Express-style middleware and a fetch-`Request` helper for edge runtimes. Every check
// (signature, alg allow-list, kid, iss, exp/iat/nbf, token_type, scope, aud, pid, consumer) is
// the core's; this file only fetches the JWKS when the core asks and maps outcomes to HTTP.
import * as core from '../pkg/wasm/maskinporten_wasm.js';
import { unixNow } from './client.js';
import { isMaskinportenError, MaskinportenError } from './errors.js';

/** After a failed JWKS fetch, keys already loaded stay in use and no refetch is tried for this long. */
const FAILED_FETCH_PAUSE_S = 30;

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
  #loaded = false;
  #pausedUntil = 0;

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
   */
  constructor({ environment, algorithms, leeway, maxJwksAge, minRefetchInterval, fetch: fetchImpl, timeoutMs = 10_000, now } = {}) {
    if (environment === undefined || environment === null) {
      throw core.invalidArgument('invalid_environment', 'environment', 'environment is required: "test", "prod" or an issuer URL');
    }
    this.#core = new core.Validator(environmentOf(environment), { algorithms, leeway, maxJwksAge, minRefetchInterval });
    this.#fetch = fetchImpl ?? globalThis.fetch?.bind(globalThis);
    this.#now = now ?? unixNow;
    this.#timeoutMs = timeoutMs;
  }

  /** Hands a JWKS body to the validator yourself (instead of letting it fetch). */
  updateJwks(body, now) {
    this.#core.updateJwks(body, now ?? this.#now());
    this.#loaded = true;
  }

  /**
   * Validates a token (`"Bearer ..."` or bare) against `requirements`
   * (`{ scopes, scopeMatch?: "any"|"all", audience?, requirePid?, consumerOrgs? }`) and returns
   * its claims, typed. Throws `MaskinportenError` whose `code` names the failed check.
   */
  async validate(token, requirements, { now } = {}) {
    const at = now ?? this.#now();
    await this.#refresh(at);
    try {
      return this.#core.validate(String(token ?? ''), at, requirements);
    } catch (e) {
      // A new signing key at the issuer: refetch (the core rate-limits) and try once more.
      if (isMaskinportenError(e) && e.code === 'unknown_kid' && this.#core.jwksRequest(at)) {
        await this.#refresh(at);
        return this.#core.validate(String(token ?? ''), at, requirements);
      }
      throw e;
    }
  }

  /** Validates without any I/O (the JWKS must be loaded). */
  validateSync(token, requirements, now) {
    return this.#core.validate(String(token ?? ''), now ?? this.#now(), requirements);
  }

  async #refresh(now) {
    if (this.#loaded && now < this.#pausedUntil) return;
    const request = this.#core.jwksRequest(now);
    if (!request) return;
    if (!this.#inflight) {
      this.#inflight = this.#fetchJwks(request, now).finally(() => { this.#inflight = undefined; });
    }
    try {
      await this.#inflight;
    } catch (e) {
      this.#pausedUntil = now + FAILED_FETCH_PAUSE_S;
      if (!this.#loaded) throw e; // nothing to validate with
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
      throw core.unavailableError(`JWKS request to ${request.url} failed: ${e?.name ?? 'Error'}: ${e?.message ?? e}`.slice(0, 300));
    }
    if (response.status !== 200) {
      throw core.unavailableError(`JWKS request to ${request.url} answered HTTP ${response.status}`);
    }
    this.#core.updateJwks(body, now);
    this.#loaded = true;
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
