// `maskinporten/admin`: the self-service API's requests built by the core, answers recorded in
// the shapes Digdir documents, typed refusals, the rotation planner, and the whole path against
// the simulator's self-service API (admin token, a client created, a key registered, a kid token).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Client, Environment, Key, TokenProvider, MaskinportenError } from 'maskinporten';
import {
  SelfService, SelfServiceRequest, RotationPlanner, RotationPolicy, checkAdminKey, checkPublicKeySet,
  parseClients, parseClient, parseClientKeys, parseScopeAccess, parsePublicScopes, parseEmpty,
} from 'maskinporten/admin';
import { startSimulator, readVector, decodeJwt, VECTORS } from './helpers.mjs';

const CLIENT_ID = '5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d';
const CLIENT_ORG = '311000004';
const T0 = 1_767_225_600;
const DAY = 86_400;
const TEST_BASE = 'https://api.test.samarbeid.digdir.no/api/v1';

const x5cKey = Key.fromPkcs12(readVector('keys/client.p12'), 'vector-password');
const jwkKey = Key.fromJwk(readVector('keys/client.jwk.json', 'utf8'));
const publicJwk = (kid, exp) => ({ ...jwkKey.withKid(kid).publicJwk(), ...(exp === undefined ? {} : { exp }) });

/** Runs `fn` and returns the MaskinportenError it throws. */
function refusal(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof MaskinportenError, `not a MaskinportenError: ${error}`);
    return error;
  }
  assert.fail('no error thrown');
}

test('requests name the call, its least scope and carry the token; descriptions redact it', () => {
  const api = new SelfService('test');
  assert.equal(api.base, TEST_BASE);
  const request = api.createClientRequest('admin-token', {
    clientName: 'Løsøre', description: 'Utlegg', scopes: ['brreg:losore/utlegg'],
  });
  assert.ok(request instanceof SelfServiceRequest);
  assert.equal(request.method, 'POST');
  assert.equal(request.url, `${TEST_BASE}/clients`);
  assert.equal(request.headers.Authorization, 'Bearer admin-token');
  const body = JSON.parse(request.body);
  assert.equal(body.integration_type, 'maskinporten');
  assert.equal(body.token_endpoint_auth_method, 'private_key_jwt');
  assert.deepEqual(body.grant_types, ['urn:ietf:params:oauth:grant-type:jwt-bearer']);
  assert.deepEqual(body.scopes, ['brreg:losore/utlegg']);
  for (const text of [JSON.stringify(request), String(request), inspect(request), inspect(request, { getters: true })]) {
    assert.doesNotMatch(text, /admin-token/);
  }
  assert.match(JSON.stringify(request), /Bearer <redacted>/);

  assert.equal(SelfService.scope('createClient'), 'idporten:dcr.write');
  assert.equal(SelfService.scope('clientKeys'), 'idporten:dcr.read');
  assert.equal(SelfService.scope('replace_keys'), 'idporten:dcr.modify');
  assert.equal(refusal(() => SelfService.scope('create')).field, 'call');

  const keys = new SelfService('prod').clientKeysRequest('t', CLIENT_ID);
  assert.equal(keys.url, `https://api.samarbeid.digdir.no/api/v1/clients/${CLIENT_ID}/jwks`);
  assert.equal(keys.method, 'GET');
  assert.equal(keys.body, undefined, 'a GET has no body, so fetch(url, request) accepts it');
  assert.equal(api.deactivateClientRequest('t', CLIENT_ID).method, 'DELETE');
  assert.equal(api.publicScopesRequest('t').url, `${TEST_BASE}/scopes/all?accessible_for_all=true`);
  const update = api.updateClientRequest('t', CLIENT_ID, { clientName: 'A', description: 'B', scopes: 'a:b' });
  assert.deepEqual([update.method, JSON.parse(update.body).scopes], ['PUT', ['a:b']]);

  assert.equal(refusal(() => api.getClientRequest('t', '../admin')).field, 'client_id');
  assert.equal(refusal(() => api.listClientsRequest('')).field, 'access_token');
  assert.equal(refusal(() => api.listClientsRequest(42)).field, 'accessToken');
  assert.equal(refusal(() => api.createClientRequest('t', { clientName: 'A', description: 'B', scope: 'x' })).field, 'client');
  assert.equal(refusal(() => api.updateClientRequest('t', CLIENT_ID, { clientName: 'A', description: 'B' })).code, 'invalid_scope');
  assert.equal(refusal(() => api.createClientRequest('t', { clientName: ' ', description: 'B' })).field, 'client_name');
  assert.equal(refusal(() => new SelfService('http://127.0.0.1:9/')).field, 'self_service_base');
  const local = new SelfService(Environment.fromName('http://127.0.0.1:9/'), { base: 'http://127.0.0.1:9/api/v1/' });
  assert.equal(local.listClientsRequest('t').url, 'http://127.0.0.1:9/api/v1/clients');
  assert.equal(refusal(() => new SelfService(42)).code, 'invalid_environment');
});

test('key sets are checked before anything is built, without quoting a private member', () => {
  const api = new SelfService('test');
  const request = api.replaceKeysRequest('t', CLIENT_ID, [publicJwk('k1', T0 + 90 * DAY)]);
  assert.equal(JSON.parse(request.body).keys[0].kid, 'k1');
  assert.equal(JSON.parse(api.replaceKeysRequest('t', CLIENT_ID, [JSON.stringify(publicJwk('k2'))]).body).keys[0].kid, 'k2');
  const privateJwk = readVector('keys/client.jwk.json', 'utf8');
  const refused = refusal(() => api.replaceKeysRequest('t', CLIENT_ID, [privateJwk]));
  assert.equal(refused.code, 'invalid_key_set');
  assert.ok(!refused.message.includes(JSON.parse(privateJwk).d.slice(0, 16)));
  assert.match(refusal(() => checkPublicKeySet([1, 2, 3, 4, 5, 6].map((i) => publicJwk(`k${i}`)))).message, /at most 5/);
  assert.match(refusal(() => checkPublicKeySet([publicJwk('bad/kid')])).message, /kid/);
  assert.equal(refusal(() => api.replaceKeysRequest('t', CLIENT_ID, 42)).code, 'invalid_key_set');
  assert.equal(checkPublicKeySet([publicJwk('ok')]), undefined);
});

test('an admin key must be the enterprise certificate, not a kid', () => {
  checkAdminKey(x5cKey);
  const kid = refusal(() => checkAdminKey(x5cKey.withKid('k1')));
  assert.deepEqual([kid.code, kid.field], ['invalid_key', 'kid']);
  assert.match(kid.message, /enterprise certificate/);
  const bare = Key.fromPem(readVector('keys/client.key.pem', 'utf8'));
  assert.equal(refusal(() => checkAdminKey(bare)).code, 'missing_certificate_or_kid');
  assert.equal(refusal(() => checkAdminKey('key')).field, 'key');
});

// Answers in the shapes Digdir's API documents (ISO-8601 or epoch times, scopes as a list).
const RECORDED_CLIENTS = `[{"client_id":"${CLIENT_ID}","client_name":"Utlegg",
  "description":"Reads the register","client_orgno":"${CLIENT_ORG}","integration_type":"maskinporten",
  "scopes":["brreg:losore/utlegg"],"active":true,"created":"2026-01-01T00:00:00.000Z",
  "last_updated":"2026-01-02T00:00:00Z"}]`;
const RECORDED_KEYS = `{"created":"2026-01-01T00:00:00Z","last_updated":1767225600,
  "keys":[{"kid":"mp-1","kty":"RSA","alg":"RS256","use":"sig","e":"AQAB","n":"xyz","exp":1775001600}]}`;

test('recorded answers are read into plain objects', () => {
  const [client] = parseClients(200, new TextEncoder().encode(RECORDED_CLIENTS));
  assert.deepEqual(client, {
    clientId: CLIENT_ID, clientName: 'Utlegg', description: 'Reads the register', clientOrgno: CLIENT_ORG,
    integrationType: 'maskinporten', scopes: ['brreg:losore/utlegg'], active: true, created: T0, lastUpdated: T0 + DAY,
  });
  assert.equal(parseClient('createClient', 201, '{"client_id":"c2","scopes":"a:b c:d"}').scopes.length, 2);
  const keys = parseClientKeys('clientKeys', 200, RECORDED_KEYS);
  assert.deepEqual(keys.keys.map((k) => [k.kid, k.expiresAt, k.jwk.kty]), [['mp-1', 1_775_001_600, 'RSA']]);
  assert.deepEqual([keys.created, keys.lastUpdated], [T0, T0]);
  assert.deepEqual(parseClientKeys('clientKeys', 200, '').keys, []);
  assert.deepEqual(parseScopeAccess(200, '[{"scope":"a:b","state":"APPROVED"}]'), [{ scope: 'a:b', state: 'APPROVED' }]);
  assert.deepEqual(parsePublicScopes(200, '[{"name":"c:d","description":"Public"}]'), [{ name: 'c:d', description: 'Public' }]);
  assert.equal(parseEmpty(204, ''), undefined);
  assert.equal(refusal(() => parseClient('getClient', 200, '{}')).code, 'malformed_response');
  assert.equal(refusal(() => parseClients(1000, '')).field, 'status');
});

const REFUSALS = [
  [400, '{"error":"invalid_request","errors":[{"field":"client_name","message":"must not be blank"}]}', 'self_service_invalid', null],
  [401, '', 'admin_token_rejected', 'idporten:dcr.read'],
  [403, '{"error":"insufficient_scope"}', 'admin_scope_missing', 'idporten:dcr.read'],
  [404, '', 'client_not_found', null],
  [409, '{}', 'self_service_conflict', null],
  [428, '{"error":"PRECONDITION_REQUIRED"}', 'terms_not_accepted', null],
];

for (const [status, body, code, needed] of REFUSALS) {
  test(`a ${status} answer is the typed refusal ${code}`, () => {
    const error = refusal(() => parseClient('getClient', status, body));
    assert.deepEqual([error.code, error.status, error.neededScope, error.retryable], [code, status, needed, false]);
    assert.ok(error.hint);
    if (status === 400) {
      assert.deepEqual(error.fieldErrors, [{ field: 'client_name', reason: 'must not be blank' }]);
      assert.equal(error.error, 'invalid_request');
    }
  });
}

test('5xx answers are retryable', () => {
  const error = refusal(() => parseClients(503, ''));
  assert.deepEqual([error.code, error.retryable], ['unavailable', true]);
});

test('the planner answers each step of a rotation', () => {
  const planner = new RotationPlanner(new RotationPolicy({ propagationDelay: 60, gracePeriod: DAY }));
  const first = planner.plan({ keys: [] }, undefined, T0);
  assert.deepEqual([first.kind, first.expiresAt, first.keep], ['publish', T0 + 90 * DAY, []]);
  assert.match(first.kid, /^mp-/);
  const one = { keys: [{ kid: 'a', expiresAt: T0 + 90 * DAY }], created: T0, lastUpdated: T0 };
  assert.deepEqual(planner.plan(one, 'a', T0 + DAY), { kind: 'nothing', nextAt: T0 + 60 * DAY, reason: 'the key "a" is current' });
  assert.deepEqual(planner.plan(one, 'a', T0 + 60 * DAY).keep, ['a']);
  const t1 = T0 + 60 * DAY;
  const two = { keys: [{ kid: 'a', expiresAt: T0 + 90 * DAY }, { kid: 'b', expiresAt: t1 + 90 * DAY }], lastUpdated: t1 };
  assert.deepEqual(planner.plan(two, 'a', t1 + 60), { kind: 'switch', kid: 'b' });
  assert.deepEqual(planner.plan(two, 'b', t1 + 60 + DAY), { kind: 'remove', remove: ['a'], keep: ['b'] });
  assert.equal(refusal(() => new RotationPolicy({ maxKeys: 6 })).field, 'max_keys');
  assert.equal(refusal(() => new RotationPolicy({ maxKey: 3 })).field, 'options');
  assert.equal(refusal(() => planner.plan(one, 'unregistered', T0)).field, 'signing_kid');
  assert.equal(refusal(() => planner.plan(one, 'a', new Date())).code, 'invalid_now');
  assert.equal(refusal(() => planner.plan([], 'a', T0)).field, 'keys');
  assert.equal(refusal(() => new RotationPlanner({})).field, 'policy');
  assert.deepEqual([new RotationPolicy().keyLifetime, new RotationPolicy().maxKeys], [90 * DAY, 2]);
});

let sim;
after(() => sim?.stop());

async function send(request) {
  const response = await fetch(request.url, request);
  return [response.status, new Uint8Array(await response.arrayBuffer())];
}

test("the simulator's self-service API end to end", async () => {
  sim = await startSimulator();
  const metadata = Environment.metadataRequest(sim.issuer);
  const metadataBody = await (await fetch(metadata.url)).text();
  const api = SelfService.fromMetadata(metadataBody);
  assert.equal(api.base, `${sim.issuer}api/v1`);
  const environment = Environment.fromMetadata(metadataBody);
  checkAdminKey(x5cKey);
  const admin = new TokenProvider({ client: new Client({ clientId: CLIENT_ID, key: x5cKey, environment }) });
  const adminToken = async (call) => (await admin.token({ scopes: [SelfService.scope(call)] })).accessToken;

  const created = parseClient('createClient', ...await send(api.createClientRequest(await adminToken('createClient'), {
    clientName: 'JS', description: 'e2e', scopes: ['test:scope.read'],
  })));
  assert.equal(created.clientOrgno, CLIENT_ORG);
  assert.ok(created.active);
  const listed = parseClients(...await send(api.listClientsRequest(await adminToken('listClients'))));
  assert.ok(listed.some((c) => c.clientId === created.clientId));

  const planner = new RotationPlanner();
  const none = parseClientKeys('clientKeys', ...await send(api.clientKeysRequest(await adminToken('clientKeys'), created.clientId)));
  const step = planner.plan(none);
  assert.equal(step.kind, 'publish');
  const newKey = jwkKey.withKid(step.kid);
  const registered = parseClientKeys('replaceKeys', ...await send(api.replaceKeysRequest(await adminToken('replaceKeys'), created.clientId,
    [{ ...newKey.publicJwk(), exp: step.expiresAt }])));
  assert.deepEqual(registered.keys.map((k) => [k.kid, k.expiresAt]), [[step.kid, step.expiresAt]]);
  assert.equal(planner.plan(registered, step.kid).kind, 'nothing');

  const kidClient = new Client({ clientId: created.clientId, key: newKey, environment });
  const token = await new TokenProvider({ client: kidClient }).token({ scopes: ['test:scope.read'] });
  assert.equal(decodeJwt(token.accessToken).claims.client_id, created.clientId);

  // A read token for a write call: the simulator answers 403, read as the create call's scope.
  const [status, body] = await send(api.createClientRequest(await adminToken('listClients'), { clientName: 'x', description: 'y' }));
  const error = refusal(() => parseClient('createClient', status, body));
  assert.deepEqual([error.code, error.status, error.neededScope], ['admin_scope_missing', 403, 'idporten:dcr.write']);
  assert.equal(refusal(() => parseClient('updateClient', 403, '{}')).neededScope, 'idporten:dcr.modify');
  assert.equal(refusal(() => parseClient('clientKeys', 200, '{}')).code, 'invalid_argument');
  parseEmpty(...await send(api.deactivateClientRequest(await adminToken('deactivateClient'), created.clientId)));
  const gone = parseClient('getClient', ...await send(api.getClientRequest(await adminToken('getClient'), created.clientId)));
  assert.equal(gone.active, false);
});

test("the README's self-service example runs against the simulator", async () => {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { join } = await import('node:path');
  const readme = readFileSync(process.env.MASKINPORTEN_README ?? 'README.md', 'utf8');
  const match = readme.slice(readme.indexOf('## Clients and keys')).match(/```js\n([\s\S]*?)```/);
  assert.ok(match, 'README has a ```js block under ## Clients and keys');
  sim ??= await startSimulator();
  const file = join(process.cwd(), 'selfservice-example.mjs'); // next to node_modules, like a user's app
  writeFileSync(file, match[1]);
  const { stdout } = await promisify(execFile)(process.execPath, [file], {
    env: {
      ...process.env,
      MASKINPORTEN_P12: join(VECTORS, 'keys/client.p12'),
      MASKINPORTEN_P12_PASSWORD: 'vector-password',
      MASKINPORTEN_CLIENT_ID: CLIENT_ID,
      MASKINPORTEN_ENV: sim.issuer,
      MASKINPORTEN_SELF_SERVICE: `${sim.issuer}api/v1`,
    },
  });
  const [, clientId, kid] = stdout.match(/^client (\S+) has the keys (mp-\S+)$/m) ?? assert.fail(stdout);
  // The key it registered works: a token for the new client, signed with its kid.
  const api = new SelfService(sim.issuer, { base: `${sim.issuer}api/v1` });
  const admin = new TokenProvider({ client: new Client({ clientId: CLIENT_ID, key: x5cKey, environment: sim.issuer }) });
  const token = (await admin.token({ scopes: [SelfService.scope('clientKeys')] })).accessToken;
  const keys = parseClientKeys('clientKeys', ...await send(api.clientKeysRequest(token, clientId)));
  assert.deepEqual(keys.keys.map((k) => k.kid), [kid]);
  assert.ok(keys.keys[0].expiresAt > Date.now() / 1000 + 80 * DAY);
  assert.ok(!('d' in keys.keys[0].jwk), 'only the public key was registered');
});
