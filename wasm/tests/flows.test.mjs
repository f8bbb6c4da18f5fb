// The shared flow scenarios (tests/vectors/flows.json) through the package's real TokenProvider
// and TokenValidator: an injected clock (Unix ms), a sleep that advances it and records each
// pause, the document's jitter, and a scripted fetch (answers in order; failures thrown as the
// HTTP client's own errors, so they go through the package's transport-failure path). The
// callers of a phase run concurrently, as promises. Compared as the Rust reference executor
// (tests/vectors-gen/src/flow_runner.rs, check_scenario) compares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthorizationDetail, Client, Key, TokenProvider, TokenValidator, isMaskinportenError } from 'maskinporten';
import { vectorFile, readVector } from './helpers.mjs';

const doc = vectorFile('flows.json');

/** What an HTTP client throws for each scripted failure (undici's shapes, as Node's fetch throws them). */
function transportError(kind) {
  switch (kind) {
    case 'timeout': return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    case 'connect': return new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    case 'reset': return new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
    case 'tls': return new TypeError('fetch failed', { cause: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' } });
    case 'other': return new Error('scripted failure');
    default: throw new Error(`unknown scripted failure ${kind}`);
  }
}

/** A fetch answering from `answers` in order, counting requests; running out fails the phase. */
function scripted() {
  const state = { answers: [], requests: 0, urls: [], sent: [] };
  state.fetch = async (url, init) => {
    state.requests++;
    state.urls.push(String(url));
    const bearer = new Headers(init?.headers).get('authorization')?.replace(/^Bearer /, '');
    state.sent.push(init?.method === 'POST' ? 'token' : `exchange ${bearer}`);
    await Promise.resolve(); // an answer comes later, never inside the call
    const answer = state.answers.shift();
    if (!answer) throw new Error(`more requests than scripted answers (${url})`);
    if (answer.failure) throw transportError(answer.failure);
    const headers = {};
    if (answer.content_type != null) headers['content-type'] = answer.content_type;
    if (answer.retry_after != null) headers['retry-after'] = answer.retry_after;
    return new Response(answer.body ?? '', { status: answer.status, headers });
  };
  return state;
}

function check(scenario, index, outcome, expect) {
  const where = `${scenario.name} phase ${index}`;
  assert.equal(outcome.requests, expect.requests, `${where}: requests`);
  if (expect.sleeps_ms) assert.deepEqual(outcome.sleeps, expect.sleeps_ms, `${where}: sleeps`);
  for (const result of outcome.results) assert.deepEqual(result, expect.result, `${where}: a caller's result`);
}

const key = Key.fromPkcs12(readVector(doc.client.key.file), doc.client.key.password);
const grantOptions = { scopes: doc.client.scopes };

test('there are flow scenarios of every kind', () => {
  assert.ok(doc.token_scenarios.length >= 10 && doc.validation_scenarios.length >= 5 && doc.exchange_scenarios.length >= 6);
});

for (const signer of ['node', 'webcrypto', 'wasm']) {
  for (const scenario of doc.token_scenarios) {
    test(`token scenario ${scenario.name} (signer ${signer})`, async () => {
      let clock = doc.start_ms;
      let sleeps = [];
      const transport = scripted();
      const client = new Client({ clientId: doc.client.client_id, key, environment: doc.client.environment, signer });
      const provider = new TokenProvider({
        client,
        fetch: transport.fetch,
        now: () => clock,
        sleep: async (ms) => { sleeps.push(ms); clock += ms; },
        jitter: () => doc.jitter,
      });
      for (const [index, phase] of scenario.phases.entries()) {
        clock = doc.start_ms + phase.at_ms;
        sleeps = [];
        transport.answers = [...phase.answers];
        transport.requests = 0;
        if (phase.reject != null) {
          for (let i = 0; i < phase.callers; i++) provider.reject(grantOptions, phase.reject);
        }
        const settled = await Promise.allSettled(Array.from({ length: phase.callers }, () => provider.token(grantOptions)));
        const results = settled.map((s) => {
          if (s.status === 'fulfilled') return { token: s.value.accessToken };
          assert.ok(isMaskinportenError(s.reason), `${scenario.name}: not a MaskinportenError: ${s.reason?.stack ?? s.reason}`);
          return { error: s.reason.code, status: s.reason.status, mp_code: s.reason.mpCode };
        });
        assert.equal(transport.answers.length, 0, `${scenario.name} phase ${index}: fewer requests than scripted answers`);
        check(scenario, index, { requests: transport.requests, sleeps, results }, phase.expect);
        assert.ok(transport.urls.every((u) => u === 'https://test.maskinporten.no/token'), transport.urls.join());
      }
    });
  }
}

// Exchange scenarios: Altinn tokens through the provider's `altinn` option (tests/vectors/README.md).
for (const scenario of doc.exchange_scenarios) {
  test(`exchange scenario ${scenario.name}`, async () => {
    let clock = doc.start_ms;
    let sleeps = [];
    const transport = scripted();
    const client = new Client({ clientId: doc.client.client_id, key, environment: doc.client.environment });
    const provider = new TokenProvider({
      client,
      fetch: transport.fetch,
      now: () => clock,
      sleep: async (ms) => { sleeps.push(ms); clock += ms; },
      jitter: () => doc.jitter,
    });
    const options = { ...grantOptions, altinn: { platform: doc.altinn.platform, testOrg: doc.altinn.test_org } };
    for (const [index, phase] of scenario.phases.entries()) {
      clock = doc.start_ms + phase.at_ms;
      sleeps = [];
      transport.answers = [...phase.answers];
      transport.requests = 0;
      transport.sent = [];
      transport.urls = [];
      if (phase.reject != null) {
        for (let i = 0; i < phase.callers; i++) provider.reject(options, phase.reject);
      }
      const settled = await Promise.allSettled(Array.from({ length: phase.callers }, () => provider.token(options)));
      const results = settled.map((s) => {
        if (s.status === 'fulfilled') return { token: s.value.accessToken };
        assert.ok(isMaskinportenError(s.reason), `${scenario.name}: not a MaskinportenError: ${s.reason?.stack ?? s.reason}`);
        return { error: s.reason.code, status: s.reason.status, mp_code: s.reason.mpCode };
      });
      assert.equal(transport.answers.length, 0, `${scenario.name} phase ${index}: fewer requests than scripted answers`);
      assert.deepEqual(transport.sent, phase.expect.sent, `${scenario.name} phase ${index}: requests sent`);
      check(scenario, index, { requests: transport.requests, sleeps, results }, phase.expect);
      transport.sent.forEach((what, i) => assert.equal(transport.urls[i],
        what === 'token' ? 'https://test.maskinporten.no/token' : doc.altinn.url, `${scenario.name}: where ${what} went`));
    }
  });
}

test('the altinn option is checked', async () => {
  const client = new Client({ clientId: doc.client.client_id, key, environment: doc.client.environment });
  const provider = new TokenProvider({ client, fetch: async () => assert.fail('no request expected') });
  await assert.rejects(provider.token({ ...grantOptions, altinn: { platform: 'staging' } }), (e) => e.code === 'invalid_environment');
  await assert.rejects(provider.token({ ...grantOptions, altinn: { platfrom: 'tt02' } }), (e) => isMaskinportenError(e) && e.field === 'altinn');
  await assert.rejects(provider.token({ ...grantOptions, altinn: { platform: 'prod', testOrg: true } }), (e) => isMaskinportenError(e));
});

test('an unusual externalRef is warned about once, as an event, not an error', async () => {
  const transport = scripted();
  const events = [];
  const client = new Client({ clientId: doc.client.client_id, key, environment: doc.client.environment });
  const provider = new TokenProvider({ client, fetch: transport.fetch, onEvent: (e) => events.push(e) });
  const options = { scopes: grantOptions.scopes, authorizationDetails: [AuthorizationDetail.systemUser('313000001', 'order 42/b')] };
  transport.answers = [{ status: 200, content_type: 'application/json', body: '{"access_token":"tok-a","token_type":"Bearer","expires_in":120}' }];
  assert.equal((await provider.token(options)).accessToken, 'tok-a');
  assert.equal((await provider.token(options)).accessToken, 'tok-a');
  const warnings = events.filter((e) => e.event === 'options_warning');
  assert.equal(warnings.length, 1, JSON.stringify(events));
  assert.equal(warnings[0].level, 'warn');
  assert.match(warnings[0].message, /externalRef.*MP-303/);
});

function challengeParts(rejection) {
  const challenge = rejection.wwwAuthenticate ?? '';
  return {
    status: rejection.status,
    error: /error="([^"]*)"/.exec(challenge)?.[1] ?? null,
    scope: /, scope="([^"]*)"/.exec(challenge)?.[1] ?? null,
  };
}

for (const verifier of ['node', 'webcrypto', 'wasm']) {
  for (const scenario of doc.validation_scenarios) {
    test(`validation scenario ${scenario.name} (verifier ${verifier})`, async () => {
      let clock = doc.start_ms;
      const transport = scripted();
      const validator = new TokenValidator({ environment: 'test', fetch: transport.fetch, now: () => clock, verifier });
      for (const [index, phase] of scenario.phases.entries()) {
        clock = doc.start_ms + phase.at_ms;
        transport.answers = [...phase.answers];
        transport.requests = 0;
        const requirements = { scopes: phase.requirements.scopes };
        const settled = await Promise.allSettled(
          Array.from({ length: phase.callers }, () => validator.validate(phase.token, requirements)));
        const results = settled.map((s) => {
          if (s.status === 'fulfilled') return { valid: { consumer_org: s.value.consumerOrg } };
          assert.ok(isMaskinportenError(s.reason) && s.reason.rejection, `${scenario.name}: ${s.reason?.stack ?? s.reason}`);
          return { error: s.reason.code, rejection: challengeParts(s.reason.rejection) };
        });
        assert.equal(transport.answers.length, 0, `${scenario.name} phase ${index}: fewer JWKS requests than scripted answers`);
        check(scenario, index, { requests: transport.requests, sleeps: [], results }, phase.expect);
        assert.ok(transport.urls.every((u) => u === 'https://test.maskinporten.no/jwk'), transport.urls.join());
      }
    });
  }
}
