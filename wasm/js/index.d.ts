// TypeScript declarations of the `maskinporten` package (all entry points share them).
// Times given to keys, grants and responses (`now`, `expiresAt`, ...) are Unix seconds; the
// clocks of TokenProvider and TokenValidator (`now`) are Unix milliseconds, like `Date.now()`.

/** The core's error kinds (stable strings; `errorKinds()` lists them, a test checks this union against it). */
export type MaskinportenErrorCode =
  | 'invalid_key' | 'wrong_password' | 'wrong_key_password' | 'key_not_found' | 'unsupported_key' | 'signer_failed'
  | 'invalid_argument' | 'invalid_now' | 'invalid_environment' | 'invalid_client_id' | 'invalid_scope'
  | 'invalid_resource' | 'invalid_consumer_org' | 'invalid_iss_onbehalfof' | 'conflicting_delegation'
  | 'invalid_pid' | 'invalid_authorization_details' | 'invalid_lifetime' | 'invalid_jti' | 'invalid_kid' | 'invalid_key_set'
  | 'invalid_algorithm' | 'invalid_x5c' | 'invalid_scope_match' | 'invalid_requirements'
  | 'missing_certificate_or_kid' | 'missing_signing_key' | 'invalid_signature' | 'certificate_not_valid'
  | 'oauth_error' | 'malformed_response' | 'unavailable'
  | 'altinn_exchange_invalid' | 'altinn_token_rejected' | 'altinn_forbidden'
  | 'self_service_invalid' | 'admin_token_rejected' | 'admin_scope_missing' | 'client_not_found'
  | 'self_service_conflict' | 'terms_not_accepted'
  | 'token_missing' | 'invalid_authorization_header' | 'token_too_large' | 'token_malformed'
  | 'algorithm_not_allowed' | 'jwks_missing' | 'unknown_kid' | 'signature_invalid' | 'issuer_mismatch'
  | 'token_expired' | 'token_not_yet_valid' | 'wrong_token_type' | 'insufficient_scope' | 'audience_mismatch'
  | 'pid_missing' | 'consumer_not_allowed' | 'consent_invalid' | 'system_user_missing';

/** Every `MaskinportenErrorCode`, from the core. */
export function errorKinds(): MaskinportenErrorCode[];

/**
 * How an API answers a refused request (RFC 6750), decided by the core: 401 with a bare `Bearer`
 * challenge without a token, 400 for a malformed header, 401 `invalid_token`, 403
 * `insufficient_scope` (with `scope="..."`), 503 with `Retry-After` when the issuer's keys cannot
 * be had, 500 for a misconfigured API. Send it as it is.
 */
export interface Rejection {
  status: 400 | 401 | 403 | 500 | 503 | (number & {});
  /** `WWW-Authenticate` (when any), `Content-Type`, `Cache-Control: no-store`, `Retry-After` (503). */
  headers: Record<string, string>;
  /** `{"error", "kind", "error_description"}` as JSON text; never quotes the token. */
  body: string;
  /** The error kind that caused it. */
  kind: MaskinportenErrorCode;
  wwwAuthenticate: string | null;
  /** Seconds, for 503. */
  retryAfter: number | null;
}

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
  /** The argument at fault, for argument errors. */
  readonly field: string | null;
  /** True when trying again later may succeed. */
  readonly retryable: boolean;
  /** For a refused access token (`TokenValidator.validate`, `bearerToken`): the HTTP answer to send. */
  readonly rejection: Rejection | null;
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
  /** Whether this key can sign here (false for `fromExternal`). */
  readonly canSign: boolean;
  readonly certificate: CertificateInfo | undefined;
  readonly fingerprint: string;
  certificateChainDer(): Uint8Array[];
  /** The public JWK (to register the key on the client). */
  publicJwk(): { kty: 'RSA'; n: string; e: string; kid?: string; alg: string; use: string } | undefined;
  /** PKCS#8 DER of the private key for a platform import. Zero it after use. */
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
  static fromMetadata(json: string | Uint8Array | ArrayBuffer): Environment;
  /** The GET request for `{issuer}.well-known/oauth-authorization-server`. */
  static metadataRequest(issuer: string): HttpRequest;
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
  toString(): string;
  free(): void;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The token endpoint request; its `body` holds the signed grant and its descriptions leave it out. */
export interface TokenRequest extends HttpRequest {
  /** The form body with the grant. Secret: do not log it. */
  readonly body: string;
  toJSON(): object;
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
  /** `"test"`, `"prod"`, an issuer URL or an `Environment`: required. */
  environment: 'test' | 'prod' | (string & {}) | Environment;
  algorithm?: Algorithm;
  /** Grant lifetime in seconds, 1 to 120 (default 120). */
  lifetime?: number;
  x5c?: 'leaf' | 'full_chain';
  /** Your own RSASSA-PKCS1-v1_5 private `CryptoKey` (with `Key.fromExternal`). */
  cryptoKey?: CryptoKey;
  /**
   * `"auto"` (default: `node:crypto` where it exists, else WebCrypto, else RSA in WebAssembly),
   * `"node"`, `"webcrypto"` or `"wasm"`.
   */
  signer?: 'auto' | 'node' | 'webcrypto' | 'wasm';
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
  /** Attaches the RSASSA-PKCS1-v1_5 signature (checked against the certificate) and returns the JWT. Once only. */
  finish(signature: Uint8Array | ArrayBuffer): string;
  toString(): string;
  free(): void;
}

/** A Maskinporten client: one client_id, one key, one environment. */
export class Client {
  constructor(options: ClientOptions);
  readonly algorithm: Algorithm;
  /** The signer `grant()` uses. */
  readonly signer: 'node' | 'webcrypto' | 'wasm';
  /** A signed grant (`node:crypto` or WebCrypto where available, else WebAssembly). */
  grant(options: GrantCall): Promise<string>;
  /** A signed grant, synchronously, with RSA in WebAssembly (about 12 ms). */
  grantSync(options: GrantCall): string;
  prepareGrant(options: GrantCall): PreparedGrant;
  /** The token request to send (`fetch(request.url, request)`). */
  tokenRequest(options: GrantCall): Promise<TokenRequest>;
  tokenRequestSync(options: GrantCall): TokenRequest;
  tokenRequestForAssertion(jwt: string): TokenRequest;
  /** The token endpoint's answer as an `AccessToken`; throws `MaskinportenError` otherwise. */
  parseTokenResponse(status: number, body: Uint8Array | ArrayBuffer | string, contentType?: string | null, now?: number): AccessToken;
  free(): void;
}

/** Parses a token endpoint response without a client. */
export function parseTokenResponse(status: number, body: Uint8Array | ArrayBuffer | string, contentType?: string | null, now?: number): AccessToken;

/** An access token. `toString()`, `toJSON()` and `util.inspect` leave the token out. */
export class AccessToken {
  private constructor();
  /** The bearer token. Secret. */
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresIn: number;
  readonly scope: string | undefined;
  readonly issuedAt: number;
  readonly expiresAt: number;
  toJSON(): { tokenType: string; expiresIn: number; scope: string | null; expiresAt: number };
  toString(): string;
  free(): void;
}

/** What the flows report, for logs and metrics: the core's JSON form plus one line of text. No token, grant or key. */
export interface FlowEvent {
  /** `cache_hit`, `fetch_started`, `fetch_succeeded`, `retry_scheduled`, `refused`, `fetch_failed`,
   * `refresh_ahead_failed`, `fetch_cancelled`, `token_rejected`, `jwks_refreshed`, `jwks_failed`. */
  event: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  /** The event's fields, named as in every language (`key`, `attempt`, `wait_ms`, `mp_code`, ...). */
  [field: string]: unknown;
}

export interface TokenProviderOptions {
  client: Client;
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** The clock in Unix milliseconds (default `Date.now`). */
  now?: () => number;
  /** The pause before a retry (default a timer); tests advance a fake clock here. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** 0 to 1: where each back-off falls in its range (default `Math.random`). */
  jitter?: () => number;
  onEvent?: (event: FlowEvent) => void;
  /** Attempts per call, the first included, 1 to 20 (default 4). */
  maxAttempts?: number;
  /** The first back-off in ms, doubling (default 200). */
  initialBackoffMs?: number;
  /** The longest back-off in ms (default 2000). */
  maxBackoffMs?: number;
  /** One token request's time in ms (default 10000). */
  attemptTimeoutMs?: number;
  /** One `token()` call's time in ms, waiting included (default 30000). */
  deadlineMs?: number;
  /** Seconds before expiry to refresh, 0 to 3600 (default 30; at most half the lifetime). */
  refreshSkew?: number;
}

/**
 * Exchange the Maskinporten token for an Altinn token (Altinn 3's
 * `/authentication/api/v1/exchange/maskinporten`); `true` uses the platform of the client's
 * environment (TT02 with `test`, production with `prod`).
 */
export interface AltinnOptions {
  /** `"tt02"`, `"prod"` or a base URL (the simulator's `/altinn`); default the client's environment's. */
  platform?: 'tt02' | 'prod' | (string & {});
  /** TT02 only: a token issued to Altinn's test organisation (`?test=true`). */
  testOrg?: boolean;
  /** An API Management subscription key (`Ocp-Apim-Subscription-Key`). Secret. */
  subscriptionKey?: string;
}

/** Grant options of a provider's `token()`: `altinn` asks for an Altinn token instead. */
export interface ProviderGrantOptions extends GrantOptions {
  /** The Maskinporten token exchanged for an Altinn token, cached and refreshed by its own `exp`. */
  altinn?: AltinnOptions | true;
}

/** Obtains, caches and refreshes tokens with `fetch`, executing the core's token flow. */
export class TokenProvider {
  constructor(options: TokenProviderOptions);
  /** A valid token (an Altinn token with `altinn`); `signal` abandons this call (another caller then fetches). */
  token(options: ProviderGrantOptions, callOptions?: { signal?: AbortSignal }): Promise<AccessToken>;
  /**
   * Reports that an API answered 401 to `rejected` (obtained with these options): the core drops
   * that token only, so a token already refreshed by another caller stays. Whether one was dropped.
   */
  reject(options: ProviderGrantOptions, rejected: AccessToken | string): boolean;
}

/** `fetch` with `Authorization: Bearer`; a 401 is reported with `reject` and the request sent once more. */
export function authorizedFetch(
  provider: TokenProvider,
  grantOptions: ProviderGrantOptions,
  options?: { fetch?: typeof fetch },
): typeof fetch;

// ---- API providers: validating access tokens ------------------------------------------------

/** What an API requires of a token: a scope or an audience, or the explicit `anyScopeUnchecked`. */
export type Requirements =
  | (RequirementsBase & { scopes: string[] | string; audience?: string })
  | (RequirementsBase & { scopes?: string[] | string; audience: string })
  | (RequirementsBase & { anyScopeUnchecked: true; scopes?: string[] | string; audience?: string });

export interface RequirementsBase {
  /** `"any"` (default): one of the scopes suffices; `"all"`: every one is needed. */
  scopeMatch?: 'any' | 'all';
  /** Require a person-bound token (`pid`). */
  requirePid?: boolean;
  /** Allow-list of consumer org numbers. */
  consumerOrgs?: string[];
  /**
   * Accept a token whatever its scopes (after signature, issuer and time): any valid Maskinporten
   * token of this issuer, minted for any API, passes. Only for tools such as a token inspector.
   */
  anyScopeUnchecked?: boolean;
  /**
   * Also serve foreign organisations authenticated with a European eSeal (`consumer.orgNumber`
   * is then `null`); refused (`consumer_not_allowed`) otherwise.
   */
  esealConsumers?: boolean;
  /** Require a valid Altinn consent, with this `id` / `from` party when given (`consent_invalid`). */
  consent?: { id?: string; from?: string };
  /** Require an Altinn system user, of this org / system when given (`system_user_missing`). */
  systemUser?: { org?: string; systemId?: string };
}

export interface Organisation {
  /** `iso6523-actorid-upis`, or the authority a foreign eSeal consumer is named by. */
  authority: string;
  /** The raw `ID`, e.g. `"0192:991825827:ER//987464291:1"` or an eSeal's `"NTRSE-5560000001"`. */
  id: string;
  /** The 9-digit Norwegian org number, read only from a `0192` ID; `null` for a foreign consumer. */
  orgNumber: string | null;
  /** The parts after the org number (sub-unit IDs). */
  subUnit: string[];
  /** Other string members of the claim (an eSeal's `organizationName`, `countryName`...). */
  names: Record<string, string>;
}

export type ValidatedAuthorization =
  | { type: 'urn:altinn:systemuser'; org: Organisation | null; systemUserIds: string[]; systemId: string | null; externalRef: string | null }
  | {
      type: 'urn:altinn:consent'; id: string | null; from: string | null; to: Organisation | null;
      consented: string | null; validTo: number | null; consentRights: unknown;
    }
  | { type: 'other'; value: unknown };

/** A token that passed every check. */
export interface ValidatedToken {
  consumer: Organisation;
  /** `consumer.orgNumber`, for convenience (`null` for a foreign eSeal consumer). */
  consumerOrg: string | null;
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

export interface TokenValidatorOptions {
  /** `"test"`, `"prod"`, an issuer URL or an `Environment`: required. */
  environment: 'test' | 'prod' | (string & {}) | Environment;
  /** Default `["RS256", "RS384", "RS512"]`; nothing else can be allowed. */
  algorithms?: Algorithm[];
  /** Clock leeway in seconds for exp/iat/nbf (default 10). */
  leeway?: number;
  /** Seconds before the JWKS is refetched (default 24 h). */
  maxJwksAge?: number;
  /** Seconds between refetches for unknown kids and after a failed fetch (default 60). */
  minRefetchInterval?: number;
  /** One JWKS request's time in ms (default 10000). */
  jwksTimeoutMs?: number;
  fetch?: typeof fetch;
  /** The clock in Unix milliseconds (default `Date.now`). */
  now?: () => number;
  onEvent?: (event: FlowEvent) => void;
  /** `"auto"` (default: `node:crypto`, else WebCrypto, else WebAssembly), `"node"`, `"webcrypto"` or `"wasm"`. */
  verifier?: 'auto' | 'node' | 'webcrypto' | 'wasm';
  /** A `SubtleCrypto` to use instead of `globalThis.crypto.subtle`. */
  subtle?: SubtleCrypto;
}

/** The validator, executing the core's validation flow (JWKS fetching included). */
export class TokenValidator {
  constructor(options: TokenValidatorOptions);
  /** Where `validate()` verifies signatures. */
  readonly verifier: 'node' | 'webcrypto' | 'wasm';
  /** Whether a JWKS is loaded. */
  readonly hasJwks: boolean;
  /**
   * Validates `"Bearer <token>"` (any case) or a bare token; throws `MaskinportenError` naming the
   * failed check, with its `rejection`.
   */
  validate(token: string, requirements: Requirements, options?: { signal?: AbortSignal }): Promise<ValidatedToken>;
  /** Without I/O, verifying in WebAssembly; the JWKS must be loaded. */
  validateSync(token: string, requirements: Requirements): ValidatedToken;
  /** Loads a JWKS you fetched yourself. */
  updateJwks(jwks: string | Uint8Array | ArrayBuffer): void;
}

/**
 * The token of an `Authorization` header value (`"Bearer <token>"`, scheme in any case). Throws
 * `token_missing` (no header or another scheme) or `invalid_authorization_header`, each with its
 * `rejection`.
 */
export function bearerToken(authorization: string | null | undefined): string;

/** Express/Connect-style middleware (also plain `node:http`); sets `req[property]` (default `maskinporten`). */
export function expressMiddleware(
  validator: TokenValidator,
  requirements: Requirements,
  options?: { property?: string },
): (req: any, res: any, next?: (err?: unknown) => void) => Promise<void>;

/** For fetch-style handlers: `{ token }` or `{ response }` (the core's rejection as a `Response`). */
export function validateRequest(
  validator: TokenValidator,
  request: Request,
  requirements: Requirements,
): Promise<{ token: ValidatedToken; response?: undefined } | { token?: undefined; response: Response }>;
