// The platform's cryptography, found once per runtime: `node:crypto` where it exists (Node, Deno,
// Bun), else WebCrypto (browsers, workers). The entry points register what they found; signing
// and verifying code asks here. Internal: not re-exported by the package.

let nodeCrypto;
let subtle = globalThis.crypto?.subtle;

/** Registers `node:crypto` (the Node entry point imports it; the web entry looks for it). */
export function setNodeCrypto(module) {
  if (module && typeof module.sign === 'function' && typeof module.createPrivateKey === 'function') nodeCrypto = module;
}

/** Registers a `SubtleCrypto` when the global one is missing (Node 18). */
export function setSubtle(candidate) {
  if (!subtle && candidate) subtle = candidate;
}

/** `node:crypto`, or undefined. */
export function platformNode() {
  return nodeCrypto;
}

/** The runtime's `SubtleCrypto`, or undefined. */
export function platformSubtle() {
  return subtle;
}

/** The hash name `node:crypto` takes for SHA-`bits`. */
export const NODE_HASH = { 256: 'sha256', 384: 'sha384', 512: 'sha512' };
