// The token provider: executes the core's token flow (cache, single flight, retries, refresh
// ahead of expiry, 401s: all decided by the core) with `fetch`, the client's signer, timers and
// a promise per waiting caller. Nothing here decides when to fetch, retry, wait or give up.
import * as core from '../pkg/wasm/maskinporten_wasm.js';
import { clientInternals, Client } from './client.js';
import { argumentError } from './errors.js';
import { fail, optionalBoolean, optionalFunction, optionalSignal, optionalString, optionsObject } from './checks.js';
import { describe, drain, send, sleep, Waiters } from './executor.js';
import { flowArgs, grantOf } from './options.js';

const PROVIDER_OPTIONS = ['client', 'fetch', 'now', 'sleep', 'jitter', 'onEvent',
  'maxAttempts', 'initialBackoffMs', 'maxBackoffMs', 'attemptTimeoutMs', 'deadlineMs', 'refreshSkew'];
/** Converted grant options kept per provider (by their JSON form); beyond this they start over. */
const MAX_REMEMBERED_OPTIONS = 256;

/**
 * Obtains, caches and refreshes access tokens with `fetch`. The core's token flow decides
 * everything: one request per cache key at a time, retries of 5xx/429/no answer with back-off
 * and `Retry-After` (4 attempts, 10 s each, 30 s per call by default), refresh 30 s ahead of
 * expiry while the valid token is served, and which token a 401 drops.
 *
 * ```js
 * const tokens = new TokenProvider({ client });
 * const token = await tokens.token({ scopes: ['test:scope.read'] });
 * fetch(url, { headers: { Authorization: `Bearer ${token.accessToken}` } });
 * // an Altinn token (the Maskinporten token exchanged, both cached):
 * const altinn = await tokens.token({ scopes: ['altinn:instances.read'], altinn: { platform: 'tt02' } });
 * ```
 */
export class TokenProvider {
  #core;
  #sign;
  #flow;
  #fetch;
  #now;
  #sleep;
  #jitter;
  #onEvent;
  #waiters;
  #grants = new Map();

  /**
   * @param {object} options
   * @param {Client} options.client
   * @param {typeof fetch} [options.fetch] default `globalThis.fetch` (inject undici, node-fetch or a fake)
   * @param {() => number} [options.now] the clock in Unix **milliseconds**, default `Date.now`
   * @param {(ms: number, signal?: AbortSignal) => Promise<void>} [options.sleep] the pause before a retry, default a timer
   * @param {() => number} [options.jitter] 0 to 1, where a back-off falls in its range, default `Math.random`
   * @param {(event: object) => void} [options.onEvent] receives the flow's events (`{ event, level, message, ...fields }`)
   * @param {number} [options.maxAttempts] attempts per call, 1 to 20 (default 4)
   * @param {number} [options.initialBackoffMs] the first back-off (default 200, doubling)
   * @param {number} [options.maxBackoffMs] the longest back-off (default 2000)
   * @param {number} [options.attemptTimeoutMs] per token request (default 10000)
   * @param {number} [options.deadlineMs] per `token()` call, waiting included (default 30000)
   * @param {number} [options.refreshSkew] seconds before expiry to refresh (default 30)
   */
  constructor(options) {
    const given = optionsObject(options, 'options', PROVIDER_OPTIONS);
    const { client, fetch: fetchImpl, now, sleep: sleepImpl, jitter, onEvent } = given;
    if (!(client instanceof Client)) fail('client', 'TokenProvider needs { client }, a Client');
    const internals = clientInternals(client);
    if (!internals.canSign) {
      fail('key', 'the client\'s key cannot sign here (Key.fromExternal): pass cryptoKey to the Client, or sign with prepareGrant()', 'missing_signing_key');
    }
    this.#fetch = optionalFunction(fetchImpl, 'fetch', globalThis.fetch?.bind(globalThis));
    if (!this.#fetch) fail('fetch', 'no fetch in this runtime: pass options.fetch');
    this.#now = optionalFunction(now, 'now', Date.now);
    this.#sleep = optionalFunction(sleepImpl, 'sleep', sleep);
    this.#jitter = optionalFunction(jitter, 'jitter', Math.random);
    this.#onEvent = optionalFunction(onEvent, 'onEvent', undefined);
    this.#core = internals.core;
    this.#sign = internals.sign;
    this.#flow = new core.CoreTokenFlow(this.#core, ...flowArgs(given), internals.signer !== 'wasm', !!this.#onEvent);
    this.#waiters = new Waiters(this.#flow.generation);
  }

  /**
   * A valid access token for these grant options, from the cache or from Maskinporten.
   * Concurrent calls with the same options share one token request. `signal` abandons this
   * call (another caller then fetches).
   * @returns {Promise<core.AccessToken>}
   */
  async token(options, callOptions) {
    const { signal } = optionsObject(callOptions, 'options', ['signal']);
    const { grant, altinn } = this.#grant(options);
    const now = this.#now();
    const hit = altinn ? this.#flow.freshExchanged(grant, altinn, now) : this.#flow.fresh(grant, now);
    if (hit) {
      if (this.#onEvent) drain(this.#flow, this.#onEvent);
      return hit;
    }
    return this.#run(grant, altinn, optionalSignal(signal));
  }

  /**
   * Reports that an API answered 401 to `rejected` (the `AccessToken`, or its `accessToken`
   * string) obtained with these options: the core drops that token only, so a token another
   * caller has already refreshed stays. Returns whether a token was dropped.
   */
  reject(options, rejected) {
    const value = typeof rejected === 'string' ? rejected : rejected instanceof core.AccessToken ? rejected.accessToken : undefined;
    if (value === undefined) fail('rejected', 'rejected must be the AccessToken an API answered 401 to, or its accessToken string');
    const { grant, altinn } = this.#grant(options);
    const dropped = altinn ? this.#flow.rejectExchanged(grant, altinn, value) : this.#flow.reject(grant, value);
    this.#changed();
    return dropped;
  }

  // The core's conversion of these options (checked, with their cache key) and of their `altinn`
  // exchange, once per JSON form.
  #grant(options) {
    let text;
    try {
      text = JSON.stringify(options ?? null);
    } catch {
      text = undefined; // not JSON (a cycle, a BigInt): converted on every call, with the same errors
    }
    let entry = text === undefined ? undefined : this.#grants.get(text);
    if (entry) return entry;
    const { altinn, ...rest } = typeof options === 'object' && options !== null ? options : { altinn: undefined };
    entry = { grant: grantOf(typeof options === 'object' && options !== null ? rest : options, false).grant, altinn: this.#altinn(altinn) };
    for (const message of entry.grant.warnings()) this.#warn(message);
    if (text !== undefined) {
      if (this.#grants.size >= MAX_REMEMBERED_OPTIONS) this.#grants.clear();
      this.#grants.set(text, entry);
    }
    return entry;
  }

  // What the core finds doubtful in new options: a `warn` event (or console.warn), never an error.
  #warn(message) {
    if (!this.#onEvent) return console.warn(`maskinporten: ${message}`);
    try {
      this.#onEvent({ event: 'options_warning', level: 'warn', message });
    } catch {
      // The host's logger failed; the token must not fail because of it.
    }
  }

  // The `altinn` option: absent or false, none; true, the platform of the client's environment.
  #altinn(altinn) {
    if (altinn === undefined || altinn === null || altinn === false) return undefined;
    const o = altinn === true ? {} : optionsObject(altinn, 'altinn', ['platform', 'testOrg', 'subscriptionKey']);
    return new core.CoreAltinn(this.#core, optionalString(o.platform, 'altinn.platform'),
      optionalBoolean(o.testOrg, 'altinn.testOrg'), optionalString(o.subscriptionKey, 'altinn.subscriptionKey'));
  }

  // After every report to the flow: wake the callers waiting for it, pass its events on.
  #changed() {
    this.#waiters.changed(this.#flow.generation);
    if (this.#onEvent) drain(this.#flow, this.#onEvent);
  }

  async #run(grant, altinn, signal) {
    signal?.throwIfAborted();
    const flow = this.#flow;
    const call = altinn ? flow.callExchanged(grant, altinn, this.#now()) : flow.call(grant, this.#now());
    let ended = false;
    try {
      for (;;) {
        const step = flow.poll(call, grant, this.#now());
        switch (step.kind) {
          case 'token':
            ended = true;
            this.#changed();
            return step.token;
          case 'fail':
            ended = true;
            this.#changed();
            throw step.error;
          case 'send':
            await this.#send(call, step, signal);
            break;
          case 'sign':
            await this.#signStep(call, step);
            break;
          case 'sleep':
            this.#changed();
            await this.#sleep(Math.max(0, step.untilMs - this.#now()), signal);
            break;
          case 'wait':
            this.#changed();
            await this.#waiters.wait(step.untilMs - this.#now(), signal);
            break;
          default:
            throw argumentError('call', `unknown step ${step.kind}`);
        }
      }
    } finally {
      if (!ended) {
        flow.cancel(call);
        this.#changed();
      }
      call.free();
    }
  }

  async #send(call, step, signal) {
    const answer = await send(this.#fetch, step.request, step.timeoutAtMs - this.#now(), signal);
    const now = this.#now();
    if (answer.failure) {
      this.#flow.handleFailure(call, answer.failure, answer.detail, now, this.#jitter());
    } else {
      this.#flow.handleResponse(call, answer.status, answer.contentType, answer.retryAfter, answer.body, now, this.#jitter());
    }
    this.#changed();
  }

  async #signStep(call, step) {
    let signed;
    try {
      signed = this.#sign(step.input, step);
      if (signed instanceof Promise) signed = await signed;
    } catch (e) {
      this.#flow.handleSignerFailure(call, e?.message ?? describe(e), this.#now());
      this.#changed();
      return;
    }
    this.#flow.handleSignature(call, signed.signature, signed.own, this.#now());
    this.#changed();
  }

  toString() {
    return 'TokenProvider';
  }
}

function replayable(body) {
  return body === undefined || body === null || typeof body === 'string' || body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) || body instanceof URLSearchParams ||
    (typeof Blob !== 'undefined' && body instanceof Blob) ||
    (typeof FormData !== 'undefined' && body instanceof FormData);
}

/**
 * Wraps `fetch` so every call carries `Authorization: Bearer <token>` for these grant options.
 * When the API answers 401, the token is reported to the provider (`reject`: the core drops that
 * token only) and the request is sent once more with the provider's next token.
 *
 * ```js
 * const api = authorizedFetch(provider, { scopes: ['brreg:reelle/rapporteringspliktig'] });
 * const res = await api('https://api.example/resource');
 * ```
 * @returns {typeof fetch}
 */
export function authorizedFetch(provider, grantOptions, options) {
  if (!(provider instanceof TokenProvider)) fail('provider', 'authorizedFetch needs a TokenProvider');
  const { fetch: fetchImpl } = optionsObject(options, 'options', ['fetch']);
  const send = optionalFunction(fetchImpl, 'fetch', globalThis.fetch?.bind(globalThis));
  if (!send) fail('fetch', 'no fetch in this runtime: pass { fetch }');
  const call = async (input, init, token) => {
    const headers = new Headers(init?.headers ?? (typeof Request !== 'undefined' && input instanceof Request ? input.headers : undefined));
    headers.set('authorization', `Bearer ${token.accessToken}`);
    return send(input, { ...init, headers });
  };
  return async function maskinportenFetch(input, init) {
    const isRequest = typeof Request !== 'undefined' && input instanceof Request;
    const canReplay = isRequest ? !input.bodyUsed : replayable(init?.body);
    const spare = isRequest && canReplay ? input.clone() : undefined;
    const signal = init?.signal ?? (isRequest ? input.signal : undefined);
    const token = await provider.token(grantOptions, { signal });
    const response = await call(input, init, token);
    if (response.status !== 401) return response;
    provider.reject(grantOptions, token);
    if (!canReplay) return response;
    try {
      await response.body?.cancel();
    } catch {
      // The first answer's body is discarded; failing to cancel it changes nothing.
    }
    return call(spare ?? input, init, await provider.token(grantOptions, { signal }));
  };
}
