// Option objects of the JS API, checked (types, names) and handed to the core's conversions:
// grant options (`CoreGrant`), the token flow's and the validator's settings, and an API's
// requirements. The values themselves (scopes, ranges, org numbers...) are checked by the core.
// Internal: not re-exported by the package.
import * as core from '../pkg/wasm/maskinporten_wasm.js';
import { fail, optionalBoolean, optionalString, optionalWhole, optionsObject, stringList } from './checks.js';

const GRANT = ['scopes', 'resource', 'consumerOrg', 'issOnbehalfof', 'pid', 'authorizationDetails'];
const GRANT_CALL = [...GRANT, 'now', 'jti'];

/** The core's conversion of grant options: `{ grant, now, jti }` (`now`, `jti` with `withCall`). */
export function grantOf(options, withCall) {
  const o = optionsObject(options, 'options', withCall ? GRANT_CALL : GRANT);
  const resource = o.resource === undefined || o.resource === null ? undefined : stringList(o.resource, 'resource');
  let details = o.authorizationDetails;
  if (details !== undefined && details !== null && typeof details !== 'string') {
    try {
      details = JSON.stringify(details);
    } catch {
      details = undefined;
    }
    if (typeof details !== 'string') fail('authorizationDetails', 'authorizationDetails must be objects or JSON text');
  }
  const grant = new core.CoreGrant(stringList(o.scopes, 'scopes'), resource, Array.isArray(o.resource),
    optionalString(o.consumerOrg, 'consumerOrg'), optionalString(o.issOnbehalfof, 'issOnbehalfof'),
    optionalString(o.pid, 'pid'), details ?? undefined);
  if (!withCall) return { grant };
  return { grant, now: optionalWhole(o.now, 'now', 'invalid_now'), jti: optionalString(o.jti, 'jti') };
}

/** The token flow's settings (the core's `FlowOptions`) from a TokenProvider's options. */
export function flowArgs(o) {
  return ['maxAttempts', 'initialBackoffMs', 'maxBackoffMs', 'attemptTimeoutMs', 'deadlineMs', 'refreshSkew']
    .map((name) => optionalWhole(o[name], name));
}

/** The validator's settings (the core's `ValidatorOptions`) from a TokenValidator's options. */
export function validatorArgs(o) {
  const algorithms = o.algorithms === undefined || o.algorithms === null ? undefined : stringList(o.algorithms, 'algorithms');
  return [algorithms, ...['leeway', 'maxJwksAge', 'minRefetchInterval', 'jwksTimeoutMs'].map((name) => optionalWhole(o[name], name))];
}

const REQUIREMENTS = ['scopes', 'scopeMatch', 'audience', 'requirePid', 'consumerOrgs', 'anyScopeUnchecked',
  'esealConsumers', 'consent', 'systemUser'];

/** `[set, first, second]` of an optional `{ a, b }` requirement (`consent`, `systemUser`). */
function pair(value, field, [a, b]) {
  if (value === undefined || value === null) return [false, undefined, undefined];
  const o = optionsObject(value, field, [a, b]);
  return [true, optionalString(o[a], `${field}.${a}`), optionalString(o[b], `${field}.${b}`)];
}

/** requirements object -> { text, converted }: the core's conversion, redone when the object's JSON changes. */
const converted = new WeakMap();

// Absent requirements are the core's to refuse (`invalid_requirements`, none named); a wrong type
// is answered, as every configuration error, with the core's 500.
function convert(requirements) {
  let o;
  try {
    o = optionsObject(requirements, 'requirements', REQUIREMENTS);
    o = [stringList(o.scopes, 'scopes'), optionalString(o.scopeMatch, 'scopeMatch'), optionalString(o.audience, 'audience'),
      optionalBoolean(o.requirePid, 'requirePid'), stringList(o.consumerOrgs, 'consumerOrgs'),
      optionalBoolean(o.anyScopeUnchecked, 'anyScopeUnchecked'), optionalBoolean(o.esealConsumers, 'esealConsumers'),
      ...pair(o.consent, 'consent', ['id', 'from']), ...pair(o.systemUser, 'systemUser', ['org', 'systemId'])];
  } catch (e) {
    e.rejection = core.misconfiguredRejection();
    throw e;
  }
  return new core.ValidationRequirements(...o);
}

/** The core's conversion of a requirements object (checked: a misconfiguration throws here). */
export function requirementsOf(requirements) {
  let text;
  try {
    text = typeof requirements === 'object' && requirements !== null ? JSON.stringify(requirements) : undefined;
  } catch {
    text = undefined; // not JSON (a cycle, a BigInt): converted on every call, with the same errors
  }
  if (text === undefined) return convert(requirements);
  const entry = converted.get(requirements);
  if (entry?.text === text) return entry.converted;
  const fresh = convert(requirements);
  converted.set(requirements, { text, converted: fresh });
  return fresh;
}
