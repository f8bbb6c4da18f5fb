// Browser, bundler and Deno entry point of `maskinporten/admin`: fetches and instantiates the
// admin module next to this file (bundlers rewrite the URL) before exporting the API.
import init, { setErrorClass } from '../../pkg/admin/maskinporten_admin.js';
import { MaskinportenError } from '../errors.js';

await init({ module_or_path: new URL('../../pkg/admin/maskinporten_admin_bg.wasm', import.meta.url) });
setErrorClass(MaskinportenError);

export * from './api.js';
