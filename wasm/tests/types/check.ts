// Compiled with `tsc --noEmit --strict` by scripts/test-wasm against the installed package:
// the declarations must accept the documented usage and reject obvious misuse.
import {
  Client, Key, Environment, TokenProvider, AuthorizationDetail, authorizedFetch, bearerToken,
  isMaskinportenError, MaskinportenError, errorKinds, type AccessToken, type GrantOptions, type FlowEvent,
  type MaskinportenErrorCode, type Rejection, TokenValidator, validateRequest, expressMiddleware,
  type ValidatedToken,
} from 'maskinporten';

export async function usage(p12: Uint8Array, password: string): Promise<string> {
  const key: Key = Key.fromPkcs12(p12, password);
  const jks: Key = Key.fromJks(p12, password, 'alias', 'key-password');
  void jks;
  const canSign: boolean = key.canSign;
  void canSign;
  const client = new Client({ clientId: 'id', key, environment: 'test', algorithm: 'RS384', lifetime: 60, signer: 'node' });
  const options: GrantOptions = {
    scopes: ['test:scope.read'],
    consumerOrg: '312000008',
    authorizationDetails: [AuthorizationDetail.systemUser('313000001')],
  };
  const jwt: string = await client.grant({ ...options, now: 1_767_225_600, jti: 'x' });
  const prepared = client.prepareGrant(options);
  const bytes: Uint8Array = prepared.signingInputBytes();
  void bytes;
  const hash: 'SHA-256' | 'SHA-384' | 'SHA-512' = prepared.webCryptoHash;
  void hash;
  const finished: string = prepared.finish(new Uint8Array(256));
  void finished;
  // @ts-expect-error no unverified finish on the public surface
  prepared.finishUnverified(new Uint8Array(256));
  const events: FlowEvent[] = [];
  const provider = new TokenProvider({
    client, fetch: globalThis.fetch, attemptTimeoutMs: 5000, maxAttempts: 2, deadlineMs: 20_000,
    now: () => Date.now(), sleep: async () => {}, jitter: () => 0.5, onEvent: (e) => events.push(e),
  });
  const token: AccessToken = await provider.token(options, { signal: AbortSignal.timeout(1000) });
  const expiresAt: number = token.expiresAt;
  void expiresAt;
  const dropped: boolean = provider.reject(options, token) || provider.reject(options, token.accessToken);
  void dropped;
  const altinnToken: AccessToken = await provider.token({ scopes: ['altinn:instances.read'], altinn: { platform: 'tt02', testOrg: true } });
  void altinnToken;
  await provider.token({ scopes: ['altinn:instances.read'], altinn: true });
  // @ts-expect-error the platform is a name or a URL
  await provider.token({ scopes: ['altinn:instances.read'], altinn: { platform: 2 } });
  // @ts-expect-error the old retry options are gone
  new TokenProvider({ client, retries: 1 });
  const api: typeof fetch = authorizedFetch(provider, options);
  void api;
  void Environment.fromName('http://127.0.0.1:8080/').tokenEndpoint;
  const request = await client.tokenRequest(options);
  void request.url;
  try {
    Key.fromJwk('{}');
  } catch (e) {
    if (isMaskinportenError(e)) {
      const m: MaskinportenError = e;
      const fields: [string, string | null, number | null, boolean] = [m.code, m.mpCode, m.status, m.retryable];
      void fields;
      const answer: Rejection | null = m.rejection;
      if (answer) void [answer.status, answer.headers['WWW-Authenticate'], answer.body];
    }
  }
  const kinds: MaskinportenErrorCode[] = errorKinds();
  void kinds;
  // @ts-expect-error times are numbers, not Dates
  await client.grant({ scopes: ['a'], now: new Date() });
  // @ts-expect-error unknown signer
  new Client({ clientId: 'id', key, environment: 'test', signer: 'openssl' });
  // @ts-expect-error the environment is required
  new Client({ clientId: 'id', key });
  const validator = new TokenValidator({ environment: 'prod', leeway: 5, verifier: 'node', jwksTimeoutMs: 2000 });
  const where: 'node' | 'webcrypto' | 'wasm' = validator.verifier;
  void where;
  // @ts-expect-error unknown verifier
  new TokenValidator({ environment: 'prod', verifier: 'openssl' });
  const checked: ValidatedToken = await validator.validate('Bearer x', { scopes: ['my:scope'], scopeMatch: 'all' });
  const org: string | null = checked.consumer.orgNumber;
  void org;
  await validator.validate('x', { audience: 'https://api.example.no/' });
  await validator.validate('x', { anyScopeUnchecked: true });
  // @ts-expect-error requirements name a scope, an audience or the explicit opt-out
  await validator.validate('x', { requirePid: true });
  await validator.validate('x', { scopes: ['my:scope'], esealConsumers: true, consent: { id: 'c1' }, systemUser: { org: '313000001', systemId: 's' } });
  const header: string = bearerToken('bearer abc');
  void header;
  void expressMiddleware(validator, { scopes: ['my:scope'] }, { property: 'mp' });
  const outcome = await validateRequest(validator, new Request('https://x/'), { scopes: 'my:scope' });
  if (outcome.response) return outcome.response.statusText;
  return jwt + outcome.token.clientId;
}
