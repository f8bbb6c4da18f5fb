// Internal: what every entry point does once the WebAssembly module is instantiated.
import { AccessToken, Environment, Key, PreparedGrant, setErrorClass } from '../pkg/wasm/maskinporten_wasm.js';
import { MaskinportenError } from './errors.js';

/** Makes the Rust side throw `MaskinportenError` instances. */
export function registerErrorClass() {
  setErrorClass(MaskinportenError);
}

// Node's `util.inspect` (and console.log) shows the classes by their own redacting `toString()`,
// even with `{ getters: true }`, which would otherwise read `accessToken` and the like.
for (const Class of [AccessToken, Environment, Key, PreparedGrant]) {
  Object.defineProperty(Class.prototype, Symbol.for('nodejs.util.inspect.custom'), {
    value() {
      return this.__wbg_ptr ? this.toString() : `${Class.name} (freed)`;
    },
  });
}
