// Browser, bundler and Deno entry point: fetches and instantiates the WebAssembly module next to
// this file (bundlers such as Vite and webpack 5 rewrite the URL) before exporting the API.
// Where `node:crypto` exists (Deno, Bun) it signs and verifies with it; elsewhere WebCrypto.
import init from '../pkg/wasm/maskinporten_wasm.js';
import { registerErrorClass } from './init.js';
import { setNodeCrypto } from './platform.js';

await init({ module_or_path: new URL('../pkg/wasm/maskinporten_wasm_bg.wasm', import.meta.url) });
registerErrorClass();

// Only in runtimes that have it, and out of the bundlers' sight: a browser build must not try to
// resolve a Node built-in.
if (typeof globalThis.Deno !== 'undefined' || typeof globalThis.Bun !== 'undefined' || globalThis.process?.versions?.node) {
  try {
    const builtin = globalThis.process?.getBuiltinModule?.('node:crypto');
    const name = 'node:crypto';
    setNodeCrypto(builtin ?? await import(/* webpackIgnore: true */ /* @vite-ignore */ name));
  } catch {
    // No node:crypto after all: WebCrypto signs and verifies.
  }
}

export * from './api.js';
