// TypeScript declarations of the `maskinporten` package (all entry points share them).
// Times are numbers of Unix seconds.

/** Error kinds from the core (stable strings). */
export type MaskinportenErrorCode =
  | 'invalid_key' | 'wrong_password' | 'wrong_key_password' | 'key_not_found' | 'unsupported_key'
  | 'invalid_client_id' | 'invalid_scope' | 'invalid_lifetime' | 'invalid_consumer_org'
  | 'invalid_iss_onbehalfof' | 'conflicting_delegation' | 'invalid_pid' | 'invalid_resource'
  | 'invalid_authorization_details' | 'invalid_jti' | 'invalid_environment' | 'invalid_algorithm'
  | 'invalid_signature' | 'missing_signing_key' | 'missing_certificate_or_kid' | 'invalid_now'
  | 'invalid_argument' | 'invalid_x5c' | 'invalid_scope_match' | 'certificate_not_valid'
  | 'oauth_error' | 'malformed_response' | 'unavailable'
  | 'token_too_large' | 'token_malformed' | 'algorithm_not_allowed' | 'jwks_missing' | 'unknown_kid'
  | 'signature_invalid' | 'issuer_mismatch' | 'token_expired' | 'token_not_yet_valid' | 'wrong_token_type'
  | 'insufficient_scope' | 'audience_mismatch' | 'pid_missing' | 'consumer_not_allowed' | 'missing_token'
  | (string & {});

/** Every failure of this package. */
export class MaskinportenError extends Error {
  readonly name: 'MaskinportenError';
  /** The core's stable error kind, e.g. `"wrong_password"`, `"oauth_error"`. */
  readonly code: MaskinportenErrorCode;
  /** Maskinporten's `MP-nnn` id, when the server sent one. */
  readonly mpCode: string | null;
  /** HTTP status of the answer that caused it. */
  readonly status: number | null;
  /** What to do about it, when known. */
  readonly hint: string | null;
  /** The OAuth `error` code (`invalid_grant`, `invalid_scope`, ...). */
  readonly error: string | null;
  /** The server's `error_description`. */
  readonly errorDescription: string | null;
  /** The argument at fault, for invalid-argument errors. */
  readonly field: string | null;
  /** True when trying again later may succeed. */
  readonly retryable: boolean;
}

/** Type guard for errors thrown by this package. */
export function isMaskinportenError(value: unknown): value is MaskinportenError;

/** The current time in Unix seconds. */
export function unixNow(): number;

export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** Hex. */
  serial: string;
  /** The organisation number in the subject's serialNumber, if any. */
  orgNumber: string | null;
  notBefore: number;
  notAfter: number;
}

/** A client's key. Never shows the private key. */
export class Key {
  private constructor();
  /** A PKCS#12 file (.p12/.pfx), e.g. the enterprise certificate (virksomhetssertifikat). */
  static fromPkcs12(data: Uint8Array | ArrayBuffer, password: string, alias?: string): Key;
  /**
   * A Java keystore: JKS (what jwt-grant-generator reads) or PKCS#12. `alias` picks a key entry
   * (any case); `keyPassword` is the entry's own password when it differs from the store's. A
   * JCEKS key is refused (`unsupported_key`) with the keytool command that converts the store.
   */
  static fromJks(data: Uint8Array | ArrayBuffer, password: string, alias?: string, keyPassword?: string): Key;
  /** A PEM private key (PKCS#8 or PKCS#1), optionally with the certificate chain PEM (leaf first). */
  static fromPem(keyPem: string, certChainPem?: string): Key;
  /** A private RSA JWK with `kid` (JSON text or object). */
  static fromJwk(jwk: string | object): Key;
  /** No private key: sign with `cryptoKey` or `client.prepareGrant()`. */
  static fromExternal(certChainPem?: string, kid?: string): Key;
  /** A copy that sends `kid` instead of `x5c`. */
  withKid(kid: string): Key;
  readonly kid: string | undefined;
  readonly hasPrivateKey: boolean;
  readonly certificate: CertificateInfo | undefined;
  readonly fingerprint: string;
  certificateChainDer(): Uint8Array[];
  /** The public JWK (to register the key on the client). */
  publicJwk(): { kty: 'RSA'; n: string; e: string; kid?: string; alg: string; use: string } | undefined;
  /** PKCS#8 DER of the private key for WebCrypto import. Zero it after use. */
  privateKeyPkcs8Der(): Uint8Array | undefined;
  toString(): string;
  free(): void;
}

/** Which Maskinporten: test, prod, an issuer URL (the simulator) or from metadata. */
export class Environment {
  private constructor();
  static test(): Environment;
  static prod(): Environment;
  static custom(issuer: string, tokenEndpoint: string, jwksUri: string): Environment;
  /** `"test"`, `"prod"` or an issuer URL (https, or http on loopback). */
  static fromName(name: string): Environment;
  /** From an RFC 8414 metadata document. */
  static fromMetadata(json: string | Uint8Array): Environment;
  /** The GET request for `{issuer}.well-known/oauth-authorization-server`. */
  static metadataRequest(issuer: string): HttpRequest;
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
  free(): void;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** For the token request this holds the signed grant: do not log it. */
  body: string;
}

export interface SystemUserDetail {
  type: 'urn:altinn:systemuser';
  systemuser_org: { authority: 'iso6523-actorid-upis'; ID: string };
  externalRef?: string;
}
export interface ConsentDetail {
  type: 'urn:altinn:consent';
  id: string;
  from: string;
}

/** Builders for `authorizationDetails` entries. */
export class AuthorizationDetail {
  private constructor();
  static systemUser(orgNumber: string, externalRef?: string): SystemUserDetail;
  static consent(id: string, from: string): ConsentDetail;
}

/** What goes into a grant. */
export interface GrantOptions {
  /** One or more scopes (Digdir recommends one per token). */
  scopes: string[] | string;
  /** Audience restriction (RFC 8707): one URL or several. */
  resource?: string | string[];
  /** The 9-digit org number of the consumer a supplier acts for (Altinn delegation). */
  consumerOrg?: string;
  /** A supplier's sub-client (exclusive with `consumerOrg`). */
  issOnbehalfof?: string;
  /** An 11-digit person identifier for person-bound tokens. */
  pid?: string;
  /** RAR entries (system user, consent), objects or JSON text. */
  authorizationDetails?: Array<SystemUserDetail | ConsentDetail | Record<string, unknown>> | string;
}

/** Grant options plus the time and the grant id (tests pin both). */
export interface GrantCall extends GrantOptions {
  /** Unix seconds; default the clock. */
  now?: number;
  /** Default a fresh UUID v4. */
  jti?: string;
}

export type Algorithm = 'RS256' | 'RS384' | 'RS512';

export interface ClientOptions {
  /** The client's id (a UUID), the grant's `iss`. */
  clientId: string;
  key: Key;
  /** `"test"`, `"prod"`, an issuer URL or an `Environment`. */
  environment: 'test' | 'prod' | (string & {}) | Environment;
  algorithm?: Algorithm;
  /** Grant lifetime in seconds, 1 to 120 (default 120). */
  lifetime?: number;
  x5c?: 'leaf' | 'full_chain';
  /** Your own RSASSA-PKCS1-v1_5 private `CryptoKey` (with `Key.fromExternal`). */
  cryptoKey?: CryptoKey;
  /** `"auto"` (default: WebCrypto where available), `"webcrypto"` or `"wasm"`. */
  signer?: 'auto' | 'webcrypto' | 'wasm';
  /** A `SubtleCrypto` to use instead of `globalThis.crypto.subtle`. */
  subtle?: SubtleCrypto;
}

/** A grant waiting for its signature (two-step signing with an HSM, a KMS, ...). */
export class PreparedGrant {
  private constructor();
  /** The ASCII text to sign. */
  readonly signingInput: string;
  signingInputBytes(): Uint8Array;
  readonly algorithm: Algorithm;
  /** The WebCrypto hash name of `algorithm`: `"SHA-256"`, `"SHA-384"` or `"SHA-512"`. */
  readonly webCryptoHash: 'SHA-256' | 'SHA-384' | 'SHA-512';
  /** Attaches the RSASSA-PKCS1-v1_5 signature (checked against the certificate) and returns the JWT. */
  finish(signature: Uint8Array): string;
  /**
   * Attaches a signature made with the client's own key without re-verifying it (only its
   * length is checked). Only for a signer you trust to hold that very key; use `finish` for an
   * HSM, a KMS or any other external signer.
   */
  finishUnverified(signature: Uint8Array): string;
  free(): void;
}

/** A Maskinporten client: one client_id, one key, one environment. */
export class Client {
  constructor(options: ClientOptions);
  readonly algorithm: Algorithm;
  /** The signer `grant()` uses. */
  readonly signer: 'webcrypto' | 'wasm';
  /** A signed grant (WebCrypto where available, else WebAssembly). */
  grant(options: GrantCall): Promise<string>;
  /** A signed grant, synchronously, with RSA in WebAssembly. */
  grantSync(options: GrantCall): string;
  prepareGrant(options: GrantCall): PreparedGrant;
  /** The token request to send (`fetch(url, { method, headers, body })`). */
  tokenRequest(options: GrantCall): Promise<HttpRequest>;
  tokenRequestSync(options: GrantCall): HttpRequest;
  tokenRequestForAssertion(jwt: string): HttpRequest;
  /** The token endpoint's answer as an `AccessToken`; throws `MaskinportenError` otherwise. */
  parseTokenResponse(status: number, body: Uint8Array | ArrayBuffer | string, contentType?: string | null, now?: number): AccessToken;
  /** The cache key for these options. */
  cacheKey(options: GrantOptions): string;
  free(): void;
}

/** Parses a token endpoint response without a client. */
export function parseTokenResponse(status: number, body: Uint8Array | ArrayBuffer | string, contentType: string | undefined, now: number): AccessToken;

/** An access token. `toString()`/`toJSON()` leave the token out. */
export class AccessToken {
  private constructor();
  /** The bearer token. Secret. */
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresIn: number;
  readonly scope: string | undefined;
  readonly issuedAt: number;
  readonly expiresAt: number;
  isFresh(now: number, skew: number): boolean;
  refreshAt(skew: number): number;
  toJSON(): { tokenType: string; expiresIn: number; scope: string | null; expiresAt: number };
  free(): void;
}

/** An opaque ticket: the right to fetch a token for one key. */
export class FetchTicket {
  private constructor();
  free(): void;
}

export type CacheLookup =
  | { kind: 'hit'; token: AccessToken }
  | { kind: 'fetch'; ticket: FetchTicket; current: AccessToken | undefined }
  | { kind: 'wait'; until: number };

/** The core's sans-IO token cache with single-flight refresh. */
export class TokenCache {
  /** Defaults: refresh skew 30 s (capped relative to the token's lifetime), fetch lease 30 s. */
  constructor(refreshSkew?: number, fetchLease?: number);
  lookup(cacheKey: string, now: number): CacheLookup;
  complete(ticket: FetchTicket, token: AccessToken, now: number): void;
  fail(ticket: FetchTicket): void;
  /** Drops the cached token for the key, whatever it is. */
  invalidate(cacheKey: string): void;
  /** Drops the cached token only if it is `rejectedAccessToken`; returns whether it did. */
  invalidateToken(cacheKey: string, rejectedAccessToken: string): boolean;
  free(): void;
}

export interface TokenProviderOptions {
  client: Client;
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  cache?: TokenCache;
  /** Per token request, default 10000. */
  timeoutMs?: number;
  /** Extra attempts on retryable errors, default 1. */
  retries?: number;
  /** Default 250. */
  retryDelayMs?: number;
  /** Clock in Unix seconds (tests). */
  now?: () => number;
}

/** Obtains, caches and refreshes tokens with `fetch`; one request in flight per cache key. */
export class TokenProvider {
  constructor(options: TokenProviderOptions);
  token(options: GrantOptions): Promise<AccessToken>;
  /**
   * Forget the cached token. With `rejected` (the token an API answered 401 to) only that token
   * is dropped, so a token already refreshed by another caller stays. Returns whether one was.
   */
  invalidate(options: GrantOptions, rejected?: AccessToken | string): boolean;
}

/** `fetch` with `Authorization: Bearer`, retried once with a new token on 401. */
export function authorizedFetch(
  provider: TokenProvider,
  grantOptions: GrantOptions,
  options?: { fetch?: typeof fetch },
): typeof fetch;

// ---- API providers: validating access tokens (issue 7) ----------------------------------------

/** What an API requires of a token. */
export interface Requirements {
  /** Required scope(s). */
  scopes: string[] | string;
  /** `"any"` (default): one of the scopes suffices; `"all"`: every one is needed. */
  scopeMatch?: 'any' | 'all';
  /** Required `aud` (the `resource` the client asked for). */
  audience?: string;
  /** Require a person-bound token (`pid`). */
  requirePid?: boolean;
  /** Allow-list of consumer org numbers. */
  consumerOrgs?: string[];
}

export interface Organisation {
  /** The raw `ID`, e.g. `"0192:991825827:ER//987464291:1"`. */
  id: string;
  /** The 9-digit org number. */
  orgNumber: string;
  /** The parts after the org number (sub-unit IDs). */
  subUnit: string[];
}

export type ValidatedAuthorization =
  | { type: 'urn:altinn:systemuser'; org: Organisation | null; systemUserIds: string[]; systemId: string | null; externalRef: string | null }
  | { type: 'urn:altinn:consent'; id: string | null; from: string | null }
  | { type: 'other'; value: unknown };

/** A token that passed every check. */
export interface ValidatedToken {
  consumer: Organisation;
  /** `consumer.orgNumber`, for convenience. */
  consumerOrg: string;
  supplier: Organisation | null;
  delegationSource: string | null;
  clientId: string;
  clientAmr: string | null;
  scopes: string[];
  audience: string[];
  pid: string | null;
  issuedAt: number;
  expiresAt: number;
  jti: string | null;
  authorizationDetails: ValidatedAuthorization[];
  /** Every claim, raw. */
  claims: Record<string, unknown>;
}

export interface ValidatorOptions {
  /** Default `["RS256", "RS384", "RS512"]`; nothing else can be allowed. */
  algorithms?: Algorithm[];
  /** Clock leeway in seconds for exp/iat/nbf. */
  leeway?: number;
  /** Seconds before the JWKS is refetched (default 24 h). */
  maxJwksAge?: number;
  /** Seconds between refetches caused by unknown kids. */
  minRefetchInterval?: number;
}

/** A token checked up to its signature, waiting for the host's RSASSA-PKCS1-v1_5 verification. */
export class PendingValidation {
  private constructor();
  /** The bytes the signature covers. */
  signingInputBytes(): Uint8Array;
  signature(): Uint8Array;
  readonly algorithm: Algorithm;
  readonly webCryptoHash: 'SHA-256' | 'SHA-384' | 'SHA-512';
  /** The issuer key's `kid` (cache an imported key per kid and algorithm). */
  readonly kid: string;
  /** The issuer key for `crypto.subtle.importKey('jwk', ...)`. */
  publicJwk(): { kty: 'RSA'; n: string; e: string };
  free(): void;
}

/** The core's sans-IO validator (the host fetches the JWKS). */
export class Validator {
  constructor(environment: Environment, options?: ValidatorOptions);
  jwksRequest(now: number): HttpRequest | undefined;
  updateJwks(body: string | Uint8Array | ArrayBuffer, now: number): void;
  /** The JWKS endpoint's whole answer: a 200 loads the keys; any other status throws a retryable `unavailable` error and backs off. */
  updateJwksResponse(status: number, body: string | Uint8Array | ArrayBuffer, now: number): void;
  /** After a failed JWKS fetch: keys held stay in use; `jwksRequest` waits the minimum refetch interval. */
  jwksFetchFailed(now: number): void;
  /** Whether a JWKS has been loaded. */
  readonly hasJwks: boolean;
  /** Validates, verifying the signature in WebAssembly. */
  validate(token: string, now: number, requirements: Requirements): ValidatedToken;
  /** Two-step validation, step one: every check before the signature (same errors, same order as `validate`). */
  prepareValidation(token: string, now: number, requirements: Requirements): PendingValidation;
  /** Step two: the host's verdict on the signature, then the claim checks. */
  finishValidation(pending: PendingValidation, signatureValid: boolean): ValidatedToken;
  free(): void;
}

export interface TokenValidatorOptions extends ValidatorOptions {
  environment: 'test' | 'prod' | (string & {}) | Environment;
  fetch?: typeof fetch;
  timeoutMs?: number;
  now?: () => number;
  /** `"auto"` (default: WebCrypto where available), `"webcrypto"` or `"wasm"`. */
  verifier?: 'auto' | 'webcrypto' | 'wasm';
  /** A `SubtleCrypto` to use instead of `globalThis.crypto.subtle`. */
  subtle?: SubtleCrypto;
}

/** The validator with a fetch adapter for the issuer's JWKS. */
export class TokenValidator {
  constructor(options: TokenValidatorOptions);
  /** Where `validate()` verifies signatures. */
  readonly verifier: 'webcrypto' | 'wasm';
  /** Validates `"Bearer <token>"` or a bare token (signature in WebCrypto by default); throws `MaskinportenError` naming the failed check. */
  validate(token: string, requirements: Requirements, options?: { now?: number }): Promise<ValidatedToken>;
  /** Without I/O; the JWKS must be loaded. */
  validateSync(token: string, requirements: Requirements, now?: number): ValidatedToken;
  updateJwks(body: string | Uint8Array | ArrayBuffer, now?: number): void;
}

/** The HTTP answer for a failed validation (401 invalid_token, 403 insufficient_scope, 503). */
export function rejection(error: unknown): { status: number; headers: Record<string, string>; body: string };

/** Express/Connect-style middleware (also plain `node:http`); sets `req[property]` (default `maskinporten`). */
export function expressMiddleware(
  validator: TokenValidator,
  requirements: Requirements,
  options?: { property?: string },
): (req: any, res: any, next?: (err?: unknown) => void) => Promise<void>;

/** For fetch-style handlers: `{ token }` or `{ response }` (a 401/403/503 to return). */
export function validateRequest(
  validator: TokenValidator,
  request: Request,
  requirements: Requirements,
): Promise<{ token: ValidatedToken; response?: undefined } | { token?: undefined; response: Response }>;
