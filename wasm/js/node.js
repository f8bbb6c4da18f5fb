// Node.js entry point (>= 18): instantiates the WebAssembly module synchronously from the
// package's own file, so `import { Client } from 'maskinporten'` is ready to use.
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import { initSync } from '../pkg/wasm/maskinporten_wasm.js';
import { registerErrorClass } from './init.js';
import { setSubtle } from './client.js';

// Node 18 has Web Crypto only as `require('node:crypto').webcrypto`; the WebAssembly side draws
// its random numbers (jti, RSA blinding) from `globalThis.crypto.getRandomValues`, as on Node 19+
// and in browsers. Install the same object when it is missing; never replace an existing one.
if (typeof globalThis.crypto?.getRandomValues !== 'function') {
  Object.defineProperty(globalThis, 'crypto', { value: webcrypto, configurable: true, writable: true });
}

initSync({ module: readFileSync(new URL('../pkg/wasm/maskinporten_wasm_bg.wasm', import.meta.url)) });
registerErrorClass();
setSubtle(webcrypto?.subtle);

export * from './api.js';
