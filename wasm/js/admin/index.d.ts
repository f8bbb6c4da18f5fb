// Types of `maskinporten/admin`: Digdir's self-service API (clients and keys) and the key-rotation
// planner. A separate entry point with its own small WebAssembly module.
import type { MaskinportenError } from '../index.js';

export { MaskinportenError, isMaskinportenError } from '../index.js';

/** A self-service refusal (`code` `self_service_invalid`, `admin_token_rejected`, ...) adds these. */
export interface SelfServiceErrorFields {
  /** Fields the server named as wrong, with its reason for each. */
  readonly fieldErrors: { field: string; reason: string }[];
  /** The admin scope the call needed (for 401 and 403). */
  readonly neededScope: AdminScope | null;
}

/** True for a self-service refusal: a `MaskinportenError` with `fieldErrors` and `neededScope`. */
export type SelfServiceError = MaskinportenError & SelfServiceErrorFields;

/** The self-service API's admin scopes. */
export type AdminScope = 'idporten:dcr.read' | 'idporten:dcr.write' | 'idporten:dcr.modify';

/** A call, named after its method without `Request`; the core's snake_case names work too. */
export type SelfServiceCall =
  | 'listClients' | 'getClient' | 'createClient' | 'updateClient' | 'deactivateClient'
  | 'clientKeys' | 'replaceKeys' | 'removeKeys' | 'scopeAccess' | 'publicScopes'
  | 'list_clients' | 'get_client' | 'create_client' | 'update_client' | 'deactivate_client'
  | 'client_keys' | 'replace_keys' | 'remove_keys' | 'scope_access' | 'public_scopes';

/** A request to send with `fetch(request.url, request)`; descriptions redact the admin token. */
export class SelfServiceRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  /** Carries `Authorization: Bearer <admin token>`. Secret. */
  readonly headers: Record<string, string>;
  /** JSON, or `undefined` for GET and DELETE. */
  readonly body: string | undefined;
  toJSON(): { method: string; url: string; headers: Record<string, string>; body: string | undefined };
}

/** A new client, or a client's whole description after a change. */
export interface ClientFields {
  clientName: string;
  description: string;
  /** Scopes the organisation was granted (required in an update). */
  scopes?: string[] | string;
}

/** The part of the main module's `Environment` this API reads. */
export interface EnvironmentLike {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
}

/** A public JWK: an object as `Key.publicJwk()` gives it, or its JSON text. */
export type PublicJwk = Record<string, unknown> | string;

/** Digdir's self-service API of one environment. */
export class SelfService {
  /** `"test"`, `"prod"`, an issuer URL or an `Environment`; `base` names the API elsewhere. */
  constructor(environment: 'test' | 'prod' | (string & {}) | EnvironmentLike, options?: { base?: string });
  /** The API a metadata document's `self_service_endpoint` names (the simulator's). */
  static fromMetadata(json: string | Uint8Array | ArrayBuffer): SelfService;
  /** The least admin scope of a call. */
  static scope(call: SelfServiceCall): AdminScope;
  readonly base: string;
  listClientsRequest(accessToken: string): SelfServiceRequest;
  getClientRequest(accessToken: string, clientId: string): SelfServiceRequest;
  createClientRequest(accessToken: string, client: ClientFields): SelfServiceRequest;
  updateClientRequest(accessToken: string, clientId: string, update: ClientFields & { scopes: string[] | string }): SelfServiceRequest;
  deactivateClientRequest(accessToken: string, clientId: string): SelfServiceRequest;
  clientKeysRequest(accessToken: string, clientId: string): SelfServiceRequest;
  replaceKeysRequest(accessToken: string, clientId: string, publicJwks: PublicJwk[]): SelfServiceRequest;
  removeKeysRequest(accessToken: string, clientId: string): SelfServiceRequest;
  scopeAccessRequest(accessToken: string): SelfServiceRequest;
  publicScopesRequest(accessToken: string): SelfServiceRequest;
}

/** A response body as `fetch` gives it. */
type Body = string | Uint8Array | ArrayBuffer;

/** A client as the API describes it (times in Unix seconds; `null` when the API did not say). */
export interface RegisteredClient {
  clientId: string;
  clientName: string;
  description: string;
  clientOrgno: string | null;
  integrationType: string | null;
  scopes: string[];
  active: boolean;
  created: number | null;
  lastUpdated: number | null;
}

/** One registered public key. */
export interface RegisteredKey {
  kid: string;
  /** Unix seconds; registered keys live at most a year. */
  expiresAt: number | null;
  /** The public JWK as the API returned it. */
  jwk: Record<string, unknown>;
}

/** A client's key set; `lastUpdated` is when a rotation last published it. */
export interface ClientKeys {
  keys: RegisteredKey[];
  created: number | null;
  lastUpdated: number | null;
}

/** What `RotationPlanner.plan` reads of a key set (a `ClientKeys`, or a host's own record). */
export interface KeySet {
  keys: { kid: string; expiresAt?: number | null }[];
  created?: number | null;
  lastUpdated?: number | null;
}

export function parseClients(status: number, body: Body): RegisteredClient[];
/** The answer of `call` (`'getClient'`, `'createClient'` or `'updateClient'`); a refusal names that call's admin scope. */
export function parseClient(call: SelfServiceCall, status: number, body: Body): RegisteredClient;
/** The answer of `call` (`'clientKeys'`, or `'replaceKeys'`, which returns the new set). */
export function parseClientKeys(call: SelfServiceCall, status: number, body: Body): ClientKeys;
export function parseScopeAccess(status: number, body: Body): { scope: string; state: string }[];
export function parsePublicScopes(status: number, body: Body): { name: string; description: string | null }[];
export function parseEmpty(status: number, body: Body): void;
/** Checks a key set for `replaceKeysRequest`: 1 to 5 RSA keys of 2048 bits or more, no private member. */
export function checkPublicKeySet(publicJwks: PublicJwk[]): void;
/** Refuses a key the self-service API refuses for the admin client (a `kid`, or no certificate). */
export function checkAdminKey(key: { readonly kid: string | undefined; readonly certificate: unknown }): void;

/** When to rotate (seconds); absent values keep the core's defaults. */
export interface RotationPolicyOptions {
  keyLifetime?: number;
  rotateAfter?: number;
  rotateBeforeExpiry?: number;
  propagationDelay?: number;
  gracePeriod?: number;
  /** 2 to 5. */
  maxKeys?: number;
}

export class RotationPolicy {
  constructor(options?: RotationPolicyOptions);
  readonly keyLifetime: number;
  readonly maxKeys: number;
}

/** One rotation step. */
export type RotationAction =
  | { kind: 'nothing'; nextAt: number; reason: string }
  | { kind: 'publish'; kid: string; expiresAt: number; keep: string[] }
  | { kind: 'switch'; kid: string }
  | { kind: 'remove'; remove: string[]; keep: string[] };

export class RotationPlanner {
  constructor(policy?: RotationPolicy);
  plan(keys: KeySet, signingKid?: string | null, now?: number): RotationAction;
}
