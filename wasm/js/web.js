// Browser, bundler and Deno entry point: fetches and instantiates the WebAssembly module next to
// this file (bundlers such as Vite and webpack 5 rewrite the URL) before exporting the API.
import init from '../pkg/wasm/maskinporten_wasm.js';
import { registerErrorClass } from './init.js';

await init({ module_or_path: new URL('../pkg/wasm/maskinporten_wasm_bg.wasm', import.meta.url) });
registerErrorClass();

export * from './api.js';
