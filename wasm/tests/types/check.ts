// Compiled with `tsc --noEmit --strict` by scripts/test-wasm against the installed package:
// the declarations must accept the documented usage and reject obvious misuse.
import {
  Client, Key, Environment, TokenProvider, TokenCache, AuthorizationDetail, authorizedFetch,
  isMaskinportenError, MaskinportenError, type AccessToken, type GrantOptions,
  TokenValidator, validateRequest, type ValidatedToken,
} from 'maskinporten';

export async function usage(p12: Uint8Array, password: string): Promise<string> {
  const key: Key = Key.fromPkcs12(p12, password);
  const jks: Key = Key.fromJks(p12, password, 'alias', 'key-password');
  void jks;
  const client = new Client({ clientId: 'id', key, environment: 'test', algorithm: 'RS384', lifetime: 60 });
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
  const trusted: string = prepared.finishUnverified(new Uint8Array(256));
  void trusted;
  const cache = new TokenCache(30, 30);
  const found = cache.lookup(client.cacheKey(options), 0);
  if (found.kind === 'fetch') cache.fail(found.ticket);
  const provider = new TokenProvider({ client, fetch: globalThis.fetch, timeoutMs: 5000 });
  const token: AccessToken = await provider.token(options);
  const expiresAt: number = token.expiresAt;
  void expiresAt;
  const dropped: boolean = provider.invalidate(options, token) || provider.invalidate(options, token.accessToken);
  void dropped;
  const api: typeof fetch = authorizedFetch(provider, options);
  void api;
  void Environment.fromName('http://127.0.0.1:8080/').tokenEndpoint;
  try {
    Key.fromJwk('{}');
  } catch (e) {
    if (isMaskinportenError(e)) {
      const m: MaskinportenError = e;
      const fields: [string, string | null, number | null, boolean] = [m.code, m.mpCode, m.status, m.retryable];
      void fields;
    }
  }
  // @ts-expect-error times are numbers, not Dates
  await client.grant({ scopes: ['a'], now: new Date() });
  // @ts-expect-error unknown signer
  new Client({ clientId: 'id', key, environment: 'test', signer: 'openssl' });
  const validator = new TokenValidator({ environment: 'prod', leeway: 5, verifier: 'webcrypto' });
  const where: 'webcrypto' | 'wasm' = validator.verifier;
  void where;
  // @ts-expect-error unknown verifier
  new TokenValidator({ environment: 'prod', verifier: 'openssl' });
  const checked: ValidatedToken = await validator.validate('Bearer x', { scopes: ['my:scope'], scopeMatch: 'all' });
  const org: string = checked.consumer.orgNumber;
  void org;
  const outcome = await validateRequest(validator, new Request('https://x/'), { scopes: 'my:scope' });
  if (outcome.response) return outcome.response.statusText;
  return jwt + outcome.token.clientId;
}
