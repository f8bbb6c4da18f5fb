// Bundler smoke test: builds app.js (which imports 'maskinporten' by name) with Vite and with
// webpack 5 in production mode, serves each dist folder from a loopback server and loads it in
// headless Chromium; then loads the same app from Vite's dev server, which pre-bundles the package
// (the step that breaks `new URL(..., import.meta.url)` in Vite 7 and older). The grants the page
// signs with WebCrypto and with the pure-WASM signer must be byte-identical to the vector's JWT, the
// page must fetch the .wasm as application/wasm and log nothing, and each dist must hold the
// package's .wasm as a separate asset (same bytes), not inlined into the JS. Run by scripts/test-wasm
// from the temp folder where the tarball, vite, webpack, webpack-cli and playwright-core are installed.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { launchChromium, sendFile, serve } from '../browser/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(process.cwd(), 'node_modules');
const vectors = process.env.MASKINPORTEN_VECTORS;
if (!vectors) throw new Error('MASKINPORTEN_VECTORS must point to tests/vectors (scripts/test-wasm sets it)');
const CASE = 'x5c_modern_p12'; // the case app.js signs
const expected = JSON.parse(await readFile(join(vectors, 'grants.json'), 'utf8')).cases.find((c) => c.name === CASE).expected.jwt;
const packageWasm = await readFile(join(modules, 'maskinporten', 'pkg', 'wasm', 'maskinporten_wasm_bg.wasm'));
class Failure extends Error {} // a check that failed, as opposed to a bug in this script
const version = async (name) => JSON.parse(await readFile(join(modules, name, 'package.json'), 'utf8')).version;

// Each bundler runs in this folder, as a user runs it in a project, and picks up its config file
// here. Only the output folder (a temp dir) comes from the command line.
const targets = [
  {
    name: 'vite',
    version: async () => `vite ${await version('vite')}`,
    build: (out) => [join(modules, '.bin', 'vite'), ['build', '--outDir', out, '--emptyOutDir']],
  },
  {
    name: 'webpack',
    version: async () => `webpack ${await version('webpack')} (webpack-cli ${await version('webpack-cli')})`,
    build: (out) => [join(modules, '.bin', 'webpack'), ['--mode', 'production', '--output-path', out]],
    // webpack writes no HTML without html-webpack-plugin; this is the page that plugin would write.
    html: '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script defer src="main.js"></script>',
  },
  {
    name: 'vite-dev',
    version: async () => `vite ${await version('vite')}`,
    serve: viteDevServer,
  },
];

async function viteDevServer() {
  const { createServer: createViteServer } = await import('vite');
  const server = await createViteServer({
    root: here, // vite.config.js is found here too
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, watch: null },
    optimizeDeps: { force: true }, // pre-bundle afresh, whatever an earlier run left in the cache
    plugins: [{
      name: 'vectors',
      configureServer(s) {
        s.middlewares.use((req, res, next) =>
          (req.url.startsWith('/vectors/') ? sendFile(res, req.url, [['/vectors/', vectors]]) : next()));
      },
    }],
  });
  await server.listen();
  return { origin: new URL(server.resolvedUrls.local[0]).origin, close: () => server.close() };
}

async function build(target, out) {
  const [cmd, args] = target.build(out);
  const started = performance.now();
  try {
    await promisify(execFile)(cmd, args, { cwd: here, env: { ...process.env, NO_COLOR: '1' } });
  } catch (e) {
    throw new Failure(`${target.name} build failed (${e.message.split('\n')[0]}):\n${e.stdout}${e.stderr}`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (target.html) await writeFile(join(out, 'index.html'), target.html);

  // The .wasm must be emitted as a file of its own, byte-identical to the package's, and no JS
  // may carry it inlined (base64 of the "\0asm" magic is "AGFzbQ").
  const all = (await readdir(out, { recursive: true })).map((f) => join(out, f));
  const js = all.filter((f) => f.endsWith('.js'));
  const wasm = all.filter((f) => f.endsWith('.wasm'));
  const rel = (f) => relative(out, f);
  if (wasm.length !== 1) throw new Failure(`${target.name}: expected one .wasm asset in the dist, found [${wasm.map(rel)}]`);
  if (!packageWasm.equals(await readFile(wasm[0]))) throw new Failure(`${target.name}: ${rel(wasm[0])} differs from the package's .wasm`);
  let jsBytes = 0;
  let jsGzip = 0;
  for (const f of js) {
    const body = await readFile(f);
    jsBytes += body.length;
    jsGzip += gzipSync(body, { level: 9 }).length;
    if (body.includes('AGFzbQ') || body.includes('data:application/wasm')) {
      throw new Failure(`${target.name}: ${rel(f)} has the WebAssembly module inlined; it should be a separate asset`);
    }
  }
  console.log(`bundlers: ${await target.version()}: built in ${seconds} s; dist JS ${jsBytes} bytes (${jsGzip} gzipped, ` +
    `${js.length} file${js.length === 1 ? '' : 's'}), .wasm ${packageWasm.length} bytes (${rel(wasm[0])})`);
}

/** Which of the three JWT parts differs, decoded where that helps. */
function difference(got, want) {
  const parts = ['header', 'claims', 'signature'];
  const g = String(got).split('.');
  const w = want.split('.');
  const i = Math.max(0, parts.findIndex((_, i) => g[i] !== w[i]));
  const show = (s = '') => (i < 2 ? Buffer.from(s, 'base64url').toString('utf8') : s).slice(-300);
  return `the JWT ${parts[i]} part differs:\n  got      ${show(g[i])}\n  expected ${show(w[i])}`;
}

async function check(browser, target, out) {
  if (target.build) await build(target, out);
  const server = target.build ? await serve([['/vectors/', vectors], ['/', out]]) : await target.serve();
  const tab = await browser.newPage();
  try {
    const logs = [];
    const wasmTypes = [];
    tab.on('console', (m) => logs.push(`console.${m.type()}: ${m.text()}`));
    // An uncaught error (say, the module failing to instantiate) means no result will come.
    const crashed = new Promise((_, reject) => tab.on('pageerror', (e) => {
      logs.push(`page error: ${e}`);
      reject(new Error('uncaught error in the page'));
    }));
    crashed.catch(() => {}); // an error after the result is caught by the logs check instead
    tab.on('requestfailed', (r) => logs.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    tab.on('response', (r) => { if (new URL(r.url()).pathname.endsWith('.wasm')) wasmTypes.push(r.headers()['content-type']); });
    await tab.goto(`${server.origin}/`);
    const context = () => logs.filter((l) => !l.startsWith('console.debug: [vite]')); // the dev client's "connecting..."
    const detail = () => (context().length ? `\n${context().join('\n')}` : '');
    const result = await Promise.race([tab.waitForFunction(() => window.__result, null, { timeout: 30_000 }), crashed])
      .then((h) => h.jsonValue(), (e) => {
        throw new Failure(`${target.name}: the page set no result (${e.message.split('\n')[0]})${detail()}`);
      });
    if (!result.ok) throw new Failure(`${target.name}: the page failed: ${result.message}${detail()}`);
    // wasm-bindgen's loader warns (and falls back to a slower path) when the MIME type is wrong;
    // any console warning or error is something a user of the bundle would see.
    if (context().length) throw new Failure(`${target.name}: the page logged warnings or errors:${detail()}`);
    if (wasmTypes.length !== 1 || wasmTypes[0] !== 'application/wasm') {
      throw new Failure(`${target.name}: expected one .wasm fetch served as application/wasm, got [${wasmTypes}]`);
    }
    for (const signer of ['webcrypto', 'wasm']) {
      if (result[signer] !== expected) {
        throw new Failure(`${target.name}: the grant signed with the ${signer} signer differs from vector ${CASE}: ` +
          difference(result[signer], expected));
      }
    }
    if (result.signer !== 'webcrypto') throw new Failure(`${target.name}: the default signer is ${result.signer}, not webcrypto`);
    const label = target.build ? target.name : `${await target.version()} dev server`;
    console.log(`bundlers: ${label}: vector ${CASE} signed in Chromium with WebCrypto and with WASM, both byte-identical`);
  } finally {
    await tab.close();
    await server.close();
  }
}

const tmp = await mkdtemp(join(tmpdir(), 'maskinporten-bundlers-'));
const browser = await launchChromium();
let failed = false;
try {
  for (const target of targets) await check(browser, target, join(tmp, target.name));
  console.log('bundler smoke test passed');
} catch (e) {
  failed = true;
  console.error(`bundler smoke test failed: ${e instanceof Failure ? e.message : e.stack}`);
} finally {
  await browser.close();
  await rm(tmp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
