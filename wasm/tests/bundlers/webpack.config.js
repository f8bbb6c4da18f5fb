// webpack 5 needs no settings for this package: top-level await is on by default since 5.83, and
// `new URL('../pkg/wasm/maskinporten_wasm_bg.wasm', import.meta.url)` in the package makes the .wasm
// an asset emitted beside the bundle, loaded from the bundle's own URL (output.publicPath 'auto').
// The entry is set only because webpack's default is ./src/index.js. The mode and the output folder
// come from run.mjs's command line. webpack warns that the .wasm (about 330 KiB) is over its 244 KiB
// performance hint; the warning is harmless.
export default { entry: './app.js' };
