// The admin API (`maskinporten/admin`): Digdir's self-service API for clients and keys, and the
// key-rotation planner. The core builds every request and reads every answer (in the admin
// module, a second and small .wasm); this file converts arguments and keeps the admin token out
// of descriptions. The entry points (node.js, web.js, workerd.js) instantiate the module first.
import * as core from '../../pkg/admin/maskinporten_admin.js';
import { fail, optionsObject } from '../checks.js';

export { MaskinportenError, isMaskinportenError } from '../errors.js';
export {
  parseClients,
  parseClient,
  parseClientKeys,
  parseScopeAccess,
  parsePublicScopes,
  parseEmpty,
  checkPublicKeySet,
} from '../../pkg/admin/maskinporten_admin.js';

const REDACTED = 'Bearer <redacted>';

/**
 * A request for the self-service API: pass it to `fetch(request.url, request)`. Its
 * `Authorization` header holds the admin access token, so its descriptions (`String()`,
 * `JSON.stringify`, `util.inspect`) leave the token out. `body` is `undefined` for GET and DELETE.
 */
export class SelfServiceRequest {
  #headers;

  constructor({ method, url, headers, body }) {
    this.method = method;
    this.url = url;
    this.#headers = headers;
    this.body = body === '' ? undefined : body;
  }

  /** The headers, with `Authorization: Bearer <admin token>`. Secret: do not log them. */
  get headers() {
    return this.#headers;
  }

  toJSON() {
    const headers = { ...this.#headers };
    if ('Authorization' in headers) headers.Authorization = REDACTED;
    return { method: this.method, url: this.url, headers, body: this.body };
  }

  toString() {
    return `SelfServiceRequest(${this.method} ${this.url})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toString();
  }
}

const CLIENT_FIELDS = ['clientName', 'description', 'scopes'];
// Passed by `fromMetadata` to the constructor with a ready core object; never exported.
const FROM_CORE = Symbol('core');
const SELF_SERVICE_OPTIONS = ['base'];

/**
 * Digdir's self-service API of one environment. Each `*Request` method takes an admin access
 * token (from a client that signs with the enterprise certificate, see `checkAdminKey`, for the
 * least scope the call needs: `SelfService.scope('createClient')`) and returns the request to
 * send; read the answer with the matching `parse*` function.
 */
export class SelfService {
  #core;

  /**
   * @param {string|{issuer: string, tokenEndpoint: string, jwksUri: string}} environment `"test"`,
   *   `"prod"`, an issuer URL, or an `Environment` of the main module
   * @param {{base?: string}} [options] the API's base URL, for an environment Digdir does not run
   */
  constructor(environment, options) {
    if (environment === FROM_CORE) {
      this.#core = options;
      return;
    }
    const { base } = optionsObject(options, 'options', SELF_SERVICE_OPTIONS);
    if (typeof environment === 'string') {
      this.#core = core.CoreSelfService.named(environment, base);
    } else if (typeof environment === 'object' && environment !== null && typeof environment.issuer === 'string') {
      this.#core = core.CoreSelfService.custom(environment.issuer, environment.tokenEndpoint, environment.jwksUri, base);
    } else {
      fail('environment', 'environment must be "test", "prod", an issuer URL or an Environment', 'invalid_environment');
    }
  }

  /** The API named by a metadata document's `self_service_endpoint` (the simulator writes one). */
  static fromMetadata(json) {
    return new SelfService(FROM_CORE, core.CoreSelfService.fromMetadata(json));
  }

  /**
   * The least admin scope of a call, named after its method without `Request`
   * (`"createClient"` is `"idporten:dcr.write"`).
   */
  static scope(call) {
    return core.adminScope(call);
  }

  /** The base URL (no trailing slash). */
  get base() {
    return this.#core.base;
  }

  #request(call, accessToken, clientId, data) {
    return new SelfServiceRequest(this.#core.request(call, accessToken, clientId, data));
  }

  /** `GET /clients` (`parseClients`). */
  listClientsRequest(accessToken) {
    return this.#request('list_clients', accessToken);
  }

  /** `GET /clients/{clientId}` (`parseClient`). */
  getClientRequest(accessToken, clientId) {
    return this.#request('get_client', accessToken, clientId);
  }

  /** `POST /clients`: a Maskinporten client `{ clientName, description, scopes? }` (`parseClient`). */
  createClientRequest(accessToken, client) {
    if (client === undefined || client === null) fail('client', 'createClientRequest(token, { clientName, description, scopes }) needs the client');
    return this.#request('create_client', accessToken, undefined, optionsObject(client, 'client', CLIENT_FIELDS));
  }

  /** `PUT /clients/{clientId}`: the client's whole description after the change (`parseClient`). */
  updateClientRequest(accessToken, clientId, update) {
    if (update === undefined || update === null) fail('update', 'updateClientRequest(token, clientId, { clientName, description, scopes }) needs the update');
    return this.#request('update_client', accessToken, clientId, optionsObject(update, 'update', CLIENT_FIELDS));
  }

  /** `DELETE /clients/{clientId}`: deactivates the client (`parseEmpty`). */
  deactivateClientRequest(accessToken, clientId) {
    return this.#request('deactivate_client', accessToken, clientId);
  }

  /** `GET /clients/{clientId}/jwks` (`parseClientKeys`). */
  clientKeysRequest(accessToken, clientId) {
    return this.#request('client_keys', accessToken, clientId);
  }

  /**
   * `POST /clients/{clientId}/jwks`: replaces the whole key set with `publicJwks` (objects, as
   * `Key.publicJwk()` gives them, or JSON strings), after `checkPublicKeySet` (`parseClientKeys`).
   */
  replaceKeysRequest(accessToken, clientId, publicJwks) {
    return this.#request('replace_keys', accessToken, clientId, publicJwks);
  }

  /** `DELETE /clients/{clientId}/jwks`: removes the last keys (`parseEmpty`). */
  removeKeysRequest(accessToken, clientId) {
    return this.#request('remove_keys', accessToken, clientId);
  }

  /** `GET /scopes/access/all`: the scopes the organisation was granted (`parseScopeAccess`). */
  scopeAccessRequest(accessToken) {
    return this.#request('scope_access', accessToken);
  }

  /** `GET /scopes/all?accessible_for_all=true`: public scopes (`parsePublicScopes`). */
  publicScopesRequest(accessToken) {
    return this.#request('public_scopes', accessToken);
  }

  toString() {
    return `SelfService(${this.base})`;
  }

  toJSON() {
    return { base: this.base };
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toString();
  }
}

/**
 * Refuses a key the self-service API would refuse for the admin client: one that signs with a
 * registered key (`kid`) or has no enterprise certificate (`x5c`). Takes the main module's `Key`.
 */
export function checkAdminKey(key) {
  if (typeof key !== 'object' || key === null || !('kid' in key) || !('certificate' in key)) {
    fail('key', 'key must be a Key of the main module (Key.fromPkcs12, Key.fromJks, ...)');
  }
  core.checkAdminSigner(key.kid, key.certificate !== undefined && key.certificate !== null);
}

const POLICY_OPTIONS = ['keyLifetime', 'rotateAfter', 'rotateBeforeExpiry', 'propagationDelay', 'gracePeriod', 'maxKeys'];
const policies = new WeakMap();

/**
 * When to rotate a client's registered key (seconds; an absent value keeps the core's default:
 * keys live 90 days, a new one after 60 days or with fewer than 30 left, signing switches 120 s
 * after publishing, the old key goes a day later, at most 2 keys). Checked when made.
 */
export class RotationPolicy {
  constructor(options) {
    const o = optionsObject(options, 'options', POLICY_OPTIONS);
    policies.set(this, new core.CoreRotationPolicy(o.keyLifetime, o.rotateAfter, o.rotateBeforeExpiry,
      o.propagationDelay, o.gracePeriod, o.maxKeys));
  }

  /** How long a new key lives (seconds). */
  get keyLifetime() {
    return policies.get(this).keyLifetime;
  }

  /** The most keys registered at once. */
  get maxKeys() {
    return policies.get(this).maxKeys;
  }

  toString() {
    return `RotationPolicy(keyLifetime ${this.keyLifetime} s, maxKeys ${this.maxKeys})`;
  }
}

/**
 * Decides a client's next key-rotation step from its registered keys alone, so a rotation run
 * (from cron) is safe to repeat. It never sees a private key: the host makes new ones.
 */
export class RotationPlanner {
  #core;

  /** @param {RotationPolicy} [policy] default `new RotationPolicy()` */
  constructor(policy) {
    const corePolicy = policies.get(policy ?? new RotationPolicy());
    if (!corePolicy) fail('policy', 'policy must be a RotationPolicy');
    this.#core = new core.CoreRotationPlanner(corePolicy);
  }

  /**
   * What to do at `now` (Unix seconds; default the clock) for a client whose registered set is
   * `keys` (as `parseClientKeys` returns it), while the host signs with `signingKid` (absent
   * when it has no key yet): `{ kind: 'nothing', nextAt, reason }`, `{ kind: 'publish', kid,
   * expiresAt, keep }`, `{ kind: 'switch', kid }` or `{ kind: 'remove', remove, keep }`.
   */
  plan(keys, signingKid, now) {
    return this.#core.plan(keys, signingKid, now);
  }
}
