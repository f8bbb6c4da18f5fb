// Cloudflare Workers (workerd) entry point of `maskinporten/admin`: the runtime imports .wasm
// files as compiled modules.
import wasmModule from '../../pkg/admin/maskinporten_admin_bg.wasm';
import { initSync, setErrorClass } from '../../pkg/admin/maskinporten_admin.js';
import { MaskinportenError } from '../errors.js';

initSync({ module: wasmModule });
setErrorClass(MaskinportenError);

export * from './api.js';
