// What the provider and the validator need to execute the core's flows: timers, waking waiting
// callers, sending a request with `fetch` and reporting the answer or the failure, and handing
// events to `onEvent`. No decision is made here: when to send, retry, wait or give up is the
// core's. Internal: not re-exported by the package.

/** The default `sleep(ms, signal)`: a timer, cut short (rejecting) when `signal` aborts. */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Callers waiting for a flow's `generation` to change (another caller's fetch ended): `wait()`
 * resolves at the change, or after `ms`, whichever comes first; `changed()` is called after every
 * report to the flow.
 */
export class Waiters {
  #seen;
  #wake;
  #woken;

  constructor(generation) {
    this.#seen = generation;
  }

  /** Wakes every waiter if `generation` differs from the last one seen. */
  changed(generation) {
    if (generation === this.#seen) return false;
    this.#seen = generation;
    const wake = this.#wake;
    this.#wake = undefined;
    this.#woken = undefined;
    wake?.();
    return true;
  }

  /** Until the next change, `ms` (a real timer), or `signal` aborts (rejecting). */
  wait(ms, signal) {
    if (!this.#woken) this.#woken = new Promise((resolve) => { this.#wake = resolve; });
    const woken = this.#woken;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
      woken.then(done);
    });
  }
}

// Error codes of Node's HTTP stack (undici, libuv, OpenSSL) by the transport failure they are.
const CONNECT = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|UND_ERR_CONNECT_TIMEOUT)$/;
const RESET = /^(ECONNRESET|EPIPE|ECONNABORTED|UND_ERR_SOCKET|UND_ERR_CLOSED)$/;
const TLS = /^(ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_SSL_)/;

/** The transport failure an HTTP client's exception is: `timeout`, `connect`, `reset`, `tls`, `other`. */
export function failureKind(error) {
  const name = error?.name;
  if (name === 'TimeoutError') return 'timeout';
  const code = String(error?.cause?.code ?? error?.code ?? '');
  if (CONNECT.test(code)) return code === 'UND_ERR_CONNECT_TIMEOUT' ? 'timeout' : 'connect';
  if (RESET.test(code)) return 'reset';
  if (TLS.test(code)) return 'tls';
  return 'other';
}

/** The exception's own description, short (transport errors carry URLs, never secrets). */
export function describe(error) {
  const cause = error?.cause?.code ?? error?.cause?.message;
  return `${error?.name ?? 'Error'}: ${error?.message ?? String(error)}${cause ? ` (${cause})` : ''}`.slice(0, 200);
}

/**
 * Sends `request` with `fetchImpl`, aborting after `timeoutMs` (a real timer) or when `signal`
 * aborts (then the abort reason is thrown). Resolves to the answer `{ status, contentType,
 * retryAfter, body }` or to `{ failure, detail }` when there was none.
 */
export async function send(fetchImpl, request, timeoutMs, signal) {
  signal?.throwIfAborted();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('the attempt timed out', 'TimeoutError'));
  }, Math.max(0, timeoutMs));
  const onAbort = () => controller.abort(signal.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetchImpl(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.method === 'GET' ? undefined : request.body,
      redirect: 'manual',
      signal: controller.signal,
    });
    const body = new Uint8Array(await response.arrayBuffer());
    const header = (name) => response.headers?.get?.(name) ?? undefined;
    return { status: response.status, contentType: header('content-type'), retryAfter: header('retry-after'), body };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    return { failure: timedOut ? 'timeout' : failureKind(error), detail: describe(error) };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Hands the flow's queued events to `onEvent`; a throwing callback does not break the flow. */
export function drain(core, onEvent) {
  const events = core.events();
  if (!events) return;
  for (const event of events) {
    try {
      onEvent(event);
    } catch {
      // The host's logger failed; the token or the validation must not fail because of it.
    }
  }
}
