// Node.js entry point (>= 18): instantiates the WebAssembly module synchronously from the
// package's own file, so `import { Client } from 'maskinporten'` is ready to use. Signs and
// verifies with `node:crypto`.
import { readFileSync } from 'node:fs';
import * as nodeCrypto from 'node:crypto';
import { initSync } from '../pkg/wasm/maskinporten_wasm.js';
import { registerErrorClass } from './init.js';
import { setNodeCrypto, setSubtle } from './platform.js';

// Node 18 has Web Crypto only as `require('node:crypto').webcrypto`; the WebAssembly side draws
// its random numbers (jti, RSA blinding) from `globalThis.crypto.getRandomValues`, as on Node 19+
// and in browsers. Install the same object when it is missing; never replace an existing one.
if (typeof globalThis.crypto?.getRandomValues !== 'function') {
  Object.defineProperty(globalThis, 'crypto', { value: nodeCrypto.webcrypto, configurable: true, writable: true });
}

initSync({ module: readFileSync(new URL('../pkg/wasm/maskinporten_wasm_bg.wasm', import.meta.url)) });
registerErrorClass();
setNodeCrypto(nodeCrypto);
setSubtle(nodeCrypto.webcrypto?.subtle);

export * from './api.js';
