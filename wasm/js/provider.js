// The fetch adapter: moves bytes between the core and `fetch`. The core decides what to send,
// how to read the answer, and (through TokenCache) when to fetch; this file only does I/O and
// keeps one promise per cache key so concurrent callers share one request.
import * as core from '../pkg/wasm/maskinporten_wasm.js';
import { unixNow } from './client.js';
import { isMaskinportenError } from './errors.js';

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function describe(e) {
  // Transport errors carry no secrets, but keep the message short and free of bodies.
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(e)}${cause ? ` (${cause})` : ''}`.slice(0, 300);
}

/**
 * Obtains, caches and refreshes access tokens with `fetch`.
 *
 * ```js
 * const tokens = new TokenProvider({ client });
 * const token = await tokens.token({ scopes: ['test:scope.read'] });
 * fetch(url, { headers: { Authorization: `Bearer ${token.accessToken}` } });
 * ```
 */
export class TokenProvider {
  #client;
  #fetch;
  #cache;
  #now;
  #timeoutMs;
  #retries;
  #retryDelayMs;
  #inflight = new Map();

  /**
   * @param {object} options
   * @param {import('./client.js').Client} options.client
   * @param {typeof fetch} [options.fetch] default `globalThis.fetch` (inject undici, node-fetch or a fake)
   * @param {core.TokenCache} [options.cache] default `new TokenCache()`
   * @param {number} [options.timeoutMs] per token request, default 10000
   * @param {number} [options.retries] extra attempts on retryable errors (5xx, timeouts), default 1
   * @param {number} [options.retryDelayMs] pause before a retry, default 250
   * @param {() => number} [options.now] clock in Unix seconds (for tests)
   */
  constructor({ client, fetch: fetchImpl, cache, timeoutMs = 10_000, retries = 1, retryDelayMs = 250, now } = {}) {
    if (!client) throw core.invalidArgument('invalid_argument', 'client', 'TokenProvider needs a client');
    this.#client = client;
    this.#fetch = fetchImpl ?? globalThis.fetch?.bind(globalThis);
    if (typeof this.#fetch !== 'function') {
      throw core.invalidArgument('invalid_argument', 'fetch', 'no fetch in this runtime: pass options.fetch');
    }
    this.#cache = cache ?? new core.TokenCache();
    this.#now = now ?? unixNow;
    this.#timeoutMs = timeoutMs;
    this.#retries = retries;
    this.#retryDelayMs = retryDelayMs;
  }

  /**
   * A valid access token for these grant options, from the cache or from Maskinporten.
   * Concurrent calls with the same options share one token request.
   * @returns {Promise<core.AccessToken>}
   */
  async token(options = {}) {
    const key = this.#client.cacheKey(options);
    for (;;) {
      const now = this.#now();
      const found = this.#cache.lookup(key, now);
      if (found.kind === 'hit') return found.token;
      if (found.kind === 'fetch') {
        const pending = this.#fetchInto(found.ticket, options);
        this.#inflight.set(key, pending);
        const forget = () => { if (this.#inflight.get(key) === pending) this.#inflight.delete(key); };
        pending.then(forget, forget);
        if (found.current) {
          // Refresh ahead: the current token is still valid, hand it out meanwhile.
          pending.catch(() => {});
          return found.current;
        }
        return await pending;
      }
      // 'wait': another caller is fetching and nothing valid is cached.
      const pending = this.#inflight.get(key);
      if (pending) return await pending;
      // The lease belongs to someone outside this provider (a shared cache): wait it out.
      await delay(Math.max(50, Math.min(1000, (found.until - now) * 1000)));
    }
  }

  /**
   * Forgets the cached token for these options. With `rejected` (the `AccessToken`, or its
   * `accessToken` string, that an API answered 401 to) only that token is dropped: a token
   * another caller has already refreshed stays. Returns whether a token was dropped.
   */
  invalidate(options = {}, rejected = undefined) {
    const key = this.#client.cacheKey(options);
    if (rejected === undefined || rejected === null) {
      this.#cache.invalidate(key);
      return true;
    }
    const value = typeof rejected === 'string' ? rejected : rejected.accessToken;
    if (typeof value !== 'string') {
      throw core.invalidArgument('invalid_argument', 'rejected', 'rejected must be an AccessToken or its accessToken string');
    }
    return this.#cache.invalidateToken(key, value);
  }

  async #fetchInto(ticket, options) {
    for (let attempt = 0; ; attempt++) {
      try {
        const token = await this.#fetchOnce(options);
        this.#cache.complete(ticket, token, this.#now());
        return token;
      } catch (e) {
        if (attempt < this.#retries && isMaskinportenError(e) && e.retryable) {
          await delay(this.#retryDelayMs);
          continue;
        }
        this.#cache.fail(ticket);
        throw e;
      }
    }
  }

  async #fetchOnce(options) {
    const { now: _now, jti: _jti, ...grantOptions } = options;
    const request = await this.#client.tokenRequest({ ...grantOptions, now: this.#now() });
    let response;
    let body;
    const signal = typeof AbortSignal?.timeout === 'function' ? AbortSignal.timeout(this.#timeoutMs) : undefined;
    try {
      response = await this.#fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal,
      });
      body = new Uint8Array(await response.arrayBuffer());
    } catch (e) {
      throw core.unavailableError(`token request to ${request.url} failed: ${describe(e)}`);
    }
    return this.#client.parseTokenResponse(response.status, body, response.headers.get('content-type'), this.#now());
  }
}

function replayable(body) {
  return body === undefined || body === null || typeof body === 'string' || body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) || body instanceof URLSearchParams ||
    (typeof Blob !== 'undefined' && body instanceof Blob) ||
    (typeof FormData !== 'undefined' && body instanceof FormData);
}

/**
 * Wraps `fetch` so every call carries `Authorization: Bearer <token>` for these grant options,
 * and retries once with a fresh token when the API answers 401.
 *
 * ```js
 * const api = authorizedFetch(provider, { scopes: ['brreg:reelle/rapporteringspliktig'] });
 * const res = await api('https://api.example/resource');
 * ```
 * @returns {typeof fetch}
 */
export function authorizedFetch(provider, grantOptions, { fetch: fetchImpl } = {}) {
  const send = fetchImpl ?? globalThis.fetch?.bind(globalThis);
  if (typeof send !== 'function') {
    throw core.invalidArgument('invalid_argument', 'fetch', 'no fetch in this runtime: pass { fetch }');
  }
  const call = async (input, init, token) => {
    const headers = new Headers(init?.headers ?? (typeof Request !== 'undefined' && input instanceof Request ? input.headers : undefined));
    headers.set('authorization', `Bearer ${token.accessToken}`);
    return send(input, { ...init, headers });
  };
  return async function maskinportenFetch(input, init) {
    const isRequest = typeof Request !== 'undefined' && input instanceof Request;
    const canRetry = isRequest ? !input.bodyUsed : replayable(init?.body);
    const spare = isRequest && canRetry ? input.clone() : undefined;
    const token = await provider.token(grantOptions);
    const response = await call(input, init, token);
    if (response.status !== 401 || !canRetry) return response;
    // Only this token: when many requests get the same 401, the first refetch is kept.
    provider.invalidate(grantOptions, token);
    try {
      await response.body?.cancel();
    } catch {
      // The first answer's body is discarded; failing to cancel it changes nothing.
    }
    return call(spare ?? input, init, await provider.token(grantOptions));
  };
}
