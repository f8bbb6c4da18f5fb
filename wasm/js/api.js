// Everything the package exports, whatever the runtime. The entry points (node.js, web.js,
// workerd.js) instantiate the WebAssembly module first, then re-export this. The module's
// internal classes (`Core*`, `ValidationRequirements`) are not exported.
export { MaskinportenError, isMaskinportenError } from './errors.js';
export { Client, unixNow } from './client.js';
export { TokenProvider, authorizedFetch } from './provider.js';
export { TokenValidator, bearerToken, expressMiddleware, validateRequest } from './validator.js';
export {
  Key,
  Environment,
  AccessToken,
  PreparedGrant,
  AuthorizationDetail,
  parseTokenResponse,
  errorKinds,
} from '../pkg/wasm/maskinporten_wasm.js';
