// Everything the package exports, whatever the runtime. The entry points (node.js, web.js,
// workerd.js) instantiate the WebAssembly module first, then re-export this.
export { MaskinportenError, isMaskinportenError } from './errors.js';
export { Client, unixNow } from './client.js';
export { TokenProvider, authorizedFetch } from './provider.js';
export { TokenValidator, expressMiddleware, validateRequest, rejection } from './validator.js';
export {
  Key,
  Environment,
  AccessToken,
  TokenCache,
  PreparedGrant,
  PendingValidation,
  AuthorizationDetail,
  parseTokenResponse,
  Validator,
} from '../pkg/wasm/maskinporten_wasm.js';
