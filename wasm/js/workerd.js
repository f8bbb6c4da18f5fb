// Cloudflare Workers (workerd) entry point: the runtime imports .wasm files as compiled modules.
import wasmModule from '../pkg/wasm/maskinporten_wasm_bg.wasm';
import { initSync } from '../pkg/wasm/maskinporten_wasm.js';
import { registerErrorClass } from './init.js';

initSync({ module: wasmModule });
registerErrorClass();

export * from './api.js';
