// Argument checks of the JS classes and functions: a wrong type is a MaskinportenError with
// `code: 'invalid_argument'` naming the argument (made by the core's error mapping, as every
// other error), never a TypeError from deep inside. Internal.
import { invalidArgument } from '../pkg/wasm/maskinporten_wasm.js';

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/** Throws the argument error for `field`. */
export function fail(field, message, kind) {
  throw invalidArgument(field, message, kind);
}

/** `value` must be a plain options object (or absent); unknown keys are refused. */
export function optionsObject(value, field, known) {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) fail(field, `${field} must be an object (got ${describe(value)})`);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) fail(field, `unknown option ${JSON.stringify(key)}; known: ${known.join(', ')}`);
  }
  return value;
}

/** `value` must be a function, or absent (then `fallback`). */
export function optionalFunction(value, field, fallback) {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'function') fail(field, `${field} must be a function (got ${describe(value)})`);
  return value;
}

/** `value` must be one of `choices`. */
export function oneOf(value, field, choices) {
  if (!choices.includes(value)) fail(field, `${field} must be ${choices.map((c) => JSON.stringify(c)).join(', ')} (got ${JSON.stringify(value) ?? describe(value)})`);
  return value;
}

/** `value` must be an AbortSignal, or absent. */
export function optionalSignal(value) {
  if (value === undefined || value === null) return undefined;
  if (typeof value?.aborted !== 'boolean' || typeof value.addEventListener !== 'function') {
    fail('signal', `signal must be an AbortSignal (got ${describe(value)})`);
  }
  return value;
}
