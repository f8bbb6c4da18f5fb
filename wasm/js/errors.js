// The one error class of the package. The Rust side (src/error.rs) maps every core error to an
// instance of this class, mechanically, once; the JS layer's own argument checks make theirs with
// `argumentError`, in the shape the core gives its argument errors (`field: message`).

/**
 * Every failure of this package: a bad key or password, a bad argument (see `field`), a
 * certificate outside its validity, an OAuth error from Maskinporten (see `mpCode`), a malformed
 * response, or a retryable unavailability (see `retryable`). `code` is the core's stable error
 * kind, such as `"wrong_password"`, `"invalid_consumer_org"` or `"oauth_error"`.
 */
export class MaskinportenError extends Error {
  constructor(message, fields = {}) {
    super(message);
    this.name = 'MaskinportenError';
    /** Stable kind string from the core, e.g. `"invalid_consumer_org"`. */
    this.code = fields.code ?? 'unknown';
    /** Maskinporten's `MP-nnn` id when the server sent one. */
    this.mpCode = fields.mpCode ?? null;
    /** HTTP status of the response that caused it, if any. */
    this.status = fields.status ?? null;
    /** What to do about it, when the core knows. */
    this.hint = fields.hint ?? null;
    /** The OAuth `error` code from the server (`invalid_grant`, ...), if any. */
    this.error = fields.error ?? null;
    /** The server's `error_description`, if any. */
    this.errorDescription = fields.errorDescription ?? null;
    /** The argument that was wrong, for invalid-argument errors. */
    this.field = fields.field ?? null;
    /** True when trying again later may succeed (5xx, timeouts, HTML from a proxy). */
    this.retryable = fields.retryable === true;
    /**
     * For a refused access token (`TokenValidator.validate`, `bearerToken`): the core's HTTP
     * answer, `{ status, headers, body, kind, wwwAuthenticate, retryAfter }` (RFC 6750).
     */
    this.rejection = fields.rejection ?? null;
  }
}

/** Type guard: true for errors thrown by this package. */
export function isMaskinportenError(value) {
  return value instanceof MaskinportenError;
}

/**
 * @internal An argument error of the JS layer: `code` `invalid_argument` (a value of the wrong
 * type, an unknown option) or the core kind given, `field` the argument.
 */
export function argumentError(field, message, code = 'invalid_argument') {
  return new MaskinportenError(`${field}: ${message}`, { code, field });
}
