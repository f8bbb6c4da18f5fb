// Issue 12 item 9: every exported function and constructor checks its arguments' types and
// answers a MaskinportenError with code 'invalid_argument' naming the argument, never a
// TypeError from the wasm-bindgen glue or "memory access out of bounds".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as pkg from 'maskinporten';
import {
  AuthorizationDetail, Client, Environment, Key, TokenProvider, TokenValidator,
  authorizedFetch, bearerToken, expressMiddleware, isMaskinportenError, parseTokenResponse, validateRequest,
} from 'maskinporten';
import { readVector } from './helpers.mjs';

const P12 = readVector('keys/client.p12');
const PEM = readVector('keys/client.key.pem', 'utf8');
const key = Key.fromPkcs12(P12, 'vector-password');
const client = new Client({ clientId: '5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d', key, environment: 'test' });
const provider = new TokenProvider({ client, fetch: async () => { throw new Error('no fetch expected'); } });
const validator = new TokenValidator({ environment: 'test', fetch: async () => { throw new Error('no fetch expected'); } });

const NOT_STRING = [undefined, null, 42, {}, [], true, new Uint8Array(2)];
const NOT_BYTES = [undefined, null, 42, {}, 'text', [1, 2], true];
const NOT_OPTIONS = [42, 'text', true, [1]];

/** Asserts that `run` throws (or rejects with) an invalid_argument error naming `field`. */
async function refuses(label, run, field, code = 'invalid_argument') {
  let error;
  try {
    await run();
  } catch (e) {
    error = e;
  }
  assert.ok(error, `${label}: no error`);
  assert.ok(isMaskinportenError(error), `${label}: ${error?.stack ?? error}`);
  assert.equal(error.code, code, `${label}: ${error.message}`);
  assert.equal(error.field, field, `${label}: ${error.message}`);
  assert.doesNotMatch(error.message, /memory access|undefined \(reading|is not a function|unreachable/);
}

const cases = [
  ['Key.fromPkcs12 data', NOT_BYTES, (v) => Key.fromPkcs12(v, 'vector-password'), 'data'],
  ['Key.fromPkcs12 password', NOT_STRING, (v) => Key.fromPkcs12(P12, v), 'password'],
  ['Key.fromPkcs12 alias', [42, {}, true], (v) => Key.fromPkcs12(P12, 'vector-password', v), 'alias'],
  ['Key.fromJks data', NOT_BYTES, (v) => Key.fromJks(v, 'x'), 'data'],
  ['Key.fromJks password', NOT_STRING, (v) => Key.fromJks(P12, v), 'password'],
  ['Key.fromPem keyPem', NOT_STRING, (v) => Key.fromPem(v), 'keyPem'],
  ['Key.fromPem certChainPem', [42, {}, true], (v) => Key.fromPem(PEM, v), 'certChainPem'],
  ['Key.fromJwk jwk', [undefined, null, 42, true], (v) => Key.fromJwk(v), 'jwk'],
  ['Key.fromExternal certChainPem', [42, {}, true], (v) => Key.fromExternal(v), 'certChainPem'],
  ['Key.fromExternal kid', [42, {}, true], (v) => Key.fromExternal(undefined, v), 'kid'],
  ['key.withKid kid', NOT_STRING, (v) => key.withKid(v), 'kid'],
  ['Environment.custom issuer', NOT_STRING, (v) => Environment.custom(v, 'https://a.no/token', 'https://a.no/jwk'), 'issuer'],
  ['Environment.custom tokenEndpoint', NOT_STRING, (v) => Environment.custom('https://a.no/', v, 'https://a.no/jwk'), 'tokenEndpoint'],
  ['Environment.custom jwksUri', NOT_STRING, (v) => Environment.custom('https://a.no/', 'https://a.no/token', v), 'jwksUri'],
  ['Environment.fromName name', NOT_STRING, (v) => Environment.fromName(v), 'name'],
  ['Environment.fromMetadata json', [42, {}, true, [1]], (v) => Environment.fromMetadata(v), 'json'],
  ['Environment.metadataRequest issuer', NOT_STRING, (v) => Environment.metadataRequest(v), 'issuer'],
  ['AuthorizationDetail.systemUser orgNumber', NOT_STRING, (v) => AuthorizationDetail.systemUser(v), 'orgNumber'],
  ['AuthorizationDetail.systemUser externalRef', [42, {}, true], (v) => AuthorizationDetail.systemUser('313000001', v), 'externalRef'],
  ['AuthorizationDetail.consent id', NOT_STRING, (v) => AuthorizationDetail.consent(v, 'x'), 'id'],
  ['AuthorizationDetail.consent from', NOT_STRING, (v) => AuthorizationDetail.consent('x', v), 'from'],
  ['parseTokenResponse status', [undefined, null, '200', -1, 1.5, {}], (v) => parseTokenResponse(v, '{}', 'application/json', 1), 'status'],
  ['parseTokenResponse body', [42, {}, true], (v) => parseTokenResponse(200, v, 'application/json', 1), 'body'],
  ['parseTokenResponse contentType', [42, {}, true], (v) => parseTokenResponse(200, '{}', v, 1), 'contentType'],
  ['parseTokenResponse now', ['1', {}, 1.5, new Date()], (v) => parseTokenResponse(200, '{}', 'application/json', v), 'now', 'invalid_now'],
  ['new Client options', [42, 'x', true], (v) => new Client(v), 'options'],
  ['new Client clientId', [undefined, null, 42, {}], (v) => new Client({ clientId: v, key, environment: 'test' }), 'clientId'],
  ['new Client key', [undefined, null, 42, 'pem', {}], (v) => new Client({ clientId: 'c', key: v, environment: 'test' }), 'key'],
  ['new Client environment', [42, {}, true], (v) => new Client({ clientId: 'c', key, environment: v }), 'environment'],
  ['new Client algorithm', [42, {}], (v) => new Client({ clientId: 'c', key, environment: 'test', algorithm: v }), 'algorithm'],
  ['new Client lifetime', ['60', {}, 1.5], (v) => new Client({ clientId: 'c', key, environment: 'test', lifetime: v }), 'lifetime'],
  ['new Client x5c', [42, {}], (v) => new Client({ clientId: 'c', key, environment: 'test', x5c: v }), 'x5c'],
  ['new Client signer', [42, 'openssl'], (v) => new Client({ clientId: 'c', key, environment: 'test', signer: v }), 'signer'],
  ['new Client cryptoKey', [42, 'key', true], (v) => new Client({ clientId: 'c', key, environment: 'test', cryptoKey: v }), 'cryptoKey'],
  ['client.grant options', NOT_OPTIONS, (v) => client.grant(v), 'options'],
  ['client.grant scopes', [42, {}, [1]], (v) => client.grant({ scopes: v }), 'scopes'],
  ['client.grant consumerOrg', [42, {}], (v) => client.grant({ scopes: ['a:b'], consumerOrg: v }), 'consumerOrg'],
  ['client.grant now', ['1', {}, 1.5], (v) => client.grant({ scopes: ['a:b'], now: v }), 'now', 'invalid_now'],
  ['client.grant jti', [42, {}], (v) => client.grant({ scopes: ['a:b'], jti: v }), 'jti'],
  ['client.grantSync options', NOT_OPTIONS, (v) => client.grantSync(v), 'options'],
  ['client.prepareGrant options', NOT_OPTIONS, (v) => client.prepareGrant(v), 'options'],
  ['prepared.finish signature', NOT_BYTES, (v) => client.prepareGrant({ scopes: ['a:b'] }).finish(v), 'signature'],
  ['client.tokenRequest options', NOT_OPTIONS, (v) => client.tokenRequest(v), 'options'],
  ['client.tokenRequestSync options', NOT_OPTIONS, (v) => client.tokenRequestSync(v), 'options'],
  ['client.tokenRequestForAssertion jwt', NOT_STRING, (v) => client.tokenRequestForAssertion(v), 'jwt'],
  ['client.parseTokenResponse status', [undefined, '200'], (v) => client.parseTokenResponse(v, '{}'), 'status'],
  ['new TokenProvider options', [42, 'x'], (v) => new TokenProvider(v), 'options'],
  ['new TokenProvider without options', [undefined, null], (v) => new TokenProvider(v), 'client'],
  ['new TokenProvider client', [undefined, 42, {}], (v) => new TokenProvider({ client: v }), 'client'],
  ['new TokenProvider fetch', [42, {}, 'x'], (v) => new TokenProvider({ client, fetch: v }), 'fetch'],
  ['new TokenProvider now', [42, {}], (v) => new TokenProvider({ client, now: v }), 'now'],
  ['new TokenProvider sleep', [42, {}], (v) => new TokenProvider({ client, sleep: v }), 'sleep'],
  ['new TokenProvider jitter', [0.5, {}], (v) => new TokenProvider({ client, jitter: v }), 'jitter'],
  ['new TokenProvider onEvent', [42, {}], (v) => new TokenProvider({ client, onEvent: v }), 'onEvent'],
  ['new TokenProvider maxAttempts', ['2', 1.5, -1], (v) => new TokenProvider({ client, maxAttempts: v }), 'maxAttempts'],
  ['new TokenProvider deadlineMs', ['2', {}], (v) => new TokenProvider({ client, deadlineMs: v }), 'deadlineMs'],
  ['new TokenProvider unknown option', [1], (v) => new TokenProvider({ client, retries: v }), 'options'],
  ['provider.token options', NOT_OPTIONS, (v) => provider.token(v), 'options'],
  ['provider.token signal', [42, 'x', {}], (v) => provider.token({ scopes: ['a:b'] }, { signal: v }), 'signal'],
  ['provider.reject rejected', [undefined, null, 42, {}], (v) => provider.reject({ scopes: ['a:b'] }, v), 'rejected'],
  ['authorizedFetch provider', [undefined, {}, 42], (v) => authorizedFetch(v, { scopes: ['a:b'] }), 'provider'],
  ['authorizedFetch fetch', [42, 'x'], (v) => authorizedFetch(provider, { scopes: ['a:b'] }, { fetch: v }), 'fetch'],
  ['new TokenValidator options', [42, 'x'], (v) => new TokenValidator(v), 'options'],
  ['new TokenValidator environment', [42, {}, true], (v) => new TokenValidator({ environment: v }), 'environment'],
  ['new TokenValidator verifier', [42, 'openssl'], (v) => new TokenValidator({ environment: 'test', verifier: v }), 'verifier'],
  ['new TokenValidator leeway', ['5', 1.5], (v) => new TokenValidator({ environment: 'test', leeway: v }), 'leeway'],
  ['new TokenValidator algorithms', [42, {}], (v) => new TokenValidator({ environment: 'test', algorithms: v }), 'algorithms'],
  ['new TokenValidator fetch', [42, {}], (v) => new TokenValidator({ environment: 'test', fetch: v }), 'fetch'],
  ['new TokenValidator now', [42, {}], (v) => new TokenValidator({ environment: 'test', now: v }), 'now'],
  ['validator.validate requirements', [42, 'x', true], (v) => validator.validate('a.b.c', v), 'requirements'],
  ['validator.validate scopes', [42, {}, [1]], (v) => validator.validate('a.b.c', { scopes: v }), 'scopes'],
  ['validator.validate requirePid', ['yes', 1], (v) => validator.validate('a.b.c', { scopes: ['a:b'], requirePid: v }), 'requirePid'],
  ['validator.validate anyScopeUnchecked', ['yes', 1], (v) => validator.validate('a.b.c', { anyScopeUnchecked: v }), 'anyScopeUnchecked'],
  ['validator.validate audience', [42, {}], (v) => validator.validate('a.b.c', { scopes: ['a:b'], audience: v }), 'audience'],
  ['validator.validate token', [undefined, null, 42, {}], (v) => validator.validate(v, { scopes: ['a:b'] }), 'token'],
  ['validator.validate options', [42, 'x'], (v) => validator.validate('a.b.c', { scopes: ['a:b'] }, v), 'options'],
  ['validator.validateSync token', [undefined, 42, {}], (v) => validator.validateSync(v, { scopes: ['a:b'] }), 'token'],
  ['validator.updateJwks jwks', [42, {}, true], (v) => validator.updateJwks(v), 'jwks'],
  ['bearerToken authorization', [42, {}, true, ['Bearer x']], (v) => bearerToken(v), 'authorization'],
  ['expressMiddleware validator', [undefined, {}, 42], (v) => expressMiddleware(v, { scopes: ['a:b'] }), 'validator'],
  ['expressMiddleware options', [42, 'x'], (v) => expressMiddleware(validator, { scopes: ['a:b'] }, v), 'options'],
  ['validateRequest validator', [undefined, {}], (v) => validateRequest(v, new Request('https://a.no/'), { scopes: ['a:b'] }), 'validator'],
  ['validateRequest request', [undefined, {}, 'https://a.no/'], (v) => validateRequest(validator, v, { scopes: ['a:b'] }), 'request'],
];

for (const [label, values, run, field, code] of cases) {
  test(`${label}: wrong types are invalid_argument naming ${field}`, async () => {
    for (const value of values) {
      await refuses(`${label}(${typeof value === 'object' ? JSON.stringify(value) ?? String(value) : String(value)})`, () => run(value), field, code);
    }
  });
}

test('requirements that name nothing are invalid_requirements, with a 500 rejection that does not say why', async () => {
  for (const requirements of [undefined, null, {}, { scopes: [] }]) {
    const e = await validator.validate('a.b.c', requirements).catch((x) => x);
    assert.ok(isMaskinportenError(e), String(e));
    assert.equal(e.code, 'invalid_requirements', e.message);
    assert.equal(e.rejection.status, 500);
    assert.doesNotMatch(e.rejection.body, /anyScopeUnchecked|any_scope_unchecked/);
  }
  assert.throws(() => expressMiddleware(validator, { scopes: [] }), (e) => e.code === 'invalid_requirements');
});

test('the missing environment is invalid_environment', () => {
  assert.throws(() => new Client({ clientId: 'c', key }), (e) => e.code === 'invalid_environment' && e.field === 'environment');
  assert.throws(() => new TokenValidator({}), (e) => e.code === 'invalid_environment' && e.field === 'environment');
  assert.throws(() => new TokenValidator(), (e) => e.code === 'invalid_environment');
});

test('the module\'s internal classes are not exported', () => {
  for (const name of ['CoreClient', 'CoreGrant', 'CoreTokenFlow', 'CoreTokenCall', 'CoreValidator', 'CoreValidation',
    'ValidationRequirements', 'invalidArgument', 'setErrorClass', 'TokenCache', 'Validator', 'PendingValidation']) {
    assert.equal(pkg[name], undefined, name);
  }
  assert.equal(typeof pkg.PreparedGrant.prototype.finishUnverified, 'undefined');
  assert.equal(typeof pkg.PreparedGrant.prototype.finishOwn, 'undefined');
});
