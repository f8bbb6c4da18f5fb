// Argument checks of the JS classes and functions: a wrong type is a MaskinportenError with
// `code: 'invalid_argument'` naming the argument (made by the core's error mapping, as every
// other error), never a TypeError from deep inside. Internal.
import { argumentError } from './errors.js';

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/** Throws the argument error for `field`. */
export function fail(field, message, kind) {
  throw argumentError(field, message, kind);
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

/** One string or an array of strings, as an array; absent is empty. */
export function stringList(value, field) {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    fail(field, `${field} must be a string or an array of strings (got ${describe(value)})`);
  }
  return value;
}

/** A string, or undefined when absent. */
export function optionalString(value, field) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(field, `${field} must be a string (got ${describe(value)})`);
  return value;
}

/** A boolean, false when absent. */
export function optionalBoolean(value, field) {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') fail(field, `${field} must be true or false (got ${describe(value)})`);
  return value;
}

/** A whole number from 0 (times, counts, durations), or undefined when absent. */
export function optionalWhole(value, field, kind) {
  if (value === undefined || value === null) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) {
    fail(field, `${field} must be a whole number (a JS number${field === 'now' ? ' of seconds, not a Date' : ''}; got ${describe(value)}${typeof value === 'number' ? ` ${value}` : ''})`, kind);
  }
  return value;
}
