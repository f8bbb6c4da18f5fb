// Vite needs no settings for this package, and run.mjs checks that with this empty config:
// - the default build target (since Vite 7, 'baseline-widely-available') allows the top-level
//   await in the package's browser entry (js/web.js), which instantiates the module on import;
// - `new URL('../pkg/wasm/maskinporten_wasm_bg.wasm', import.meta.url)` makes the build emit the
//   .wasm as a hashed asset, and since Vite 8 the dev server's dependency pre-bundling rewrites that
//   URL to point back into node_modules/maskinporten.
// Older Vite needs `optimizeDeps: { exclude: ['maskinporten'] }` (Vite 7 and older pre-bundle into
// node_modules/.vite/deps, where the relative URL finds no .wasm) and, for Vite 5 and 6, also
// `build: { target: 'es2022' }` (their default target predates top-level await).
export default {};
