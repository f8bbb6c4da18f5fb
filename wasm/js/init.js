// Internal: what every entry point does once the WebAssembly module is instantiated.
import { setErrorClass } from '../pkg/wasm/maskinporten_wasm.js';
import { MaskinportenError } from './errors.js';

/** Makes the Rust side throw `MaskinportenError` instances. */
export function registerErrorClass() {
  setErrorClass(MaskinportenError);
}
