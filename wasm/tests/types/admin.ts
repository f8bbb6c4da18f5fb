// Compiled with `tsc --noEmit --strict` by scripts/test-wasm against the installed package: the
// `maskinporten/admin` declarations accept the documented usage and reject obvious misuse.
import { Environment, Key } from 'maskinporten';
import {
  SelfService, RotationPlanner, RotationPolicy, checkAdminKey, checkPublicKeySet, parseClient, parseClientKeys,
  parseClients, parseEmpty, isMaskinportenError, type AdminScope, type RotationAction, type SelfServiceError,
  type SelfServiceRequest,
} from 'maskinporten/admin';

export async function adminUsage(key: Key, environment: Environment, token: string): Promise<string> {
  checkAdminKey(key);
  const api = new SelfService('test');
  const local = new SelfService(environment, { base: 'http://127.0.0.1:8080/api/v1' });
  void local;
  const scope: AdminScope = SelfService.scope('createClient');
  void scope;
  const request: SelfServiceRequest = api.createClientRequest(token, { clientName: 'A', description: 'B', scopes: ['a:b'] });
  const response = await fetch(request.url, request);
  const client = parseClient('createClient', response.status, await response.text());
  const id: string = client.clientId;
  const created: number | null = client.created;
  void created;
  const all = parseClients(200, new Uint8Array());
  void all;
  // @ts-expect-error an update needs its scopes
  api.updateClientRequest(token, id, { clientName: 'A', description: 'B' });
  // @ts-expect-error not a call
  SelfService.scope('create');
  const jwk = key.publicJwk();
  if (jwk) checkPublicKeySet([{ ...jwk, exp: 1_800_000_000 }]);
  const keys = parseClientKeys('clientKeys', 200, '{"keys":[]}');
  const planner = new RotationPlanner(new RotationPolicy({ keyLifetime: 90 * 86_400, maxKeys: 2 }));
  const action: RotationAction = planner.plan(keys, keys.keys[0]?.kid, 1_767_225_600);
  switch (action.kind) {
    case 'publish':
      api.replaceKeysRequest(token, id, [
        ...keys.keys.filter((k) => action.keep.includes(k.kid)).map((k) => k.jwk),
        { ...jwk, kid: action.kid, exp: action.expiresAt },
      ]);
      break;
    case 'switch':
      return action.kid;
    case 'remove':
      return action.remove.join(',');
    case 'nothing':
      return String(action.nextAt);
  }
  try {
    parseEmpty(404, '');
  } catch (error) {
    if (isMaskinportenError(error)) {
      const refusal = error as SelfServiceError;
      return `${refusal.code} ${refusal.neededScope ?? ''} ${refusal.fieldErrors.length}`;
    }
  }
  return id;
}
