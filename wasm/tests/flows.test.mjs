// The shared flow scenarios (tests/vectors/flows.json) through the package's real TokenProvider
// and TokenValidator: an injected clock (Unix ms), a sleep that advances it and records each
// pause, the document's jitter, and a scripted fetch (answers in order; failures thrown as the
// HTTP client's own errors, so they go through the package's transport-failure path). The
// callers of a phase run concurrently, as promises. Compared as the Rust reference executor
// (tests/vectors-gen/src/flow_runner.rs, check_scenario) compares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Key, TokenProvider, TokenValidator, isMaskinportenError } from 'maskinporten';
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
  const state = { answers: [], requests: 0, urls: [] };
  state.fetch = async (url) => {
    state.requests++;
    state.urls.push(String(url));
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

test('there are flow scenarios of both kinds', () => {
  assert.ok(doc.token_scenarios.length >= 10 && doc.validation_scenarios.length >= 5);
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
