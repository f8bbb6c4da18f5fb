// What the browser tests share: a loopback file server and Debian's headless Chromium.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium } from 'playwright-core';

const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html' };

/**
 * Answers `url` from the first of `mounts` (`[prefix, folder]` pairs, e.g. `['/vectors/', dir]`)
 * whose prefix it starts with; a path ending in `/` means its `index.html`. 404 for anything
 * else, including paths that leave the folder.
 */
export async function sendFile(res, url, mounts) {
  try {
    const path = decodeURIComponent(new URL(url, 'http://x').pathname);
    const [prefix, folder] = mounts.find(([prefix]) => path.startsWith(prefix)) ?? [];
    if (!folder) throw new Error('not served');
    const rest = path.slice(prefix.length);
    const base = resolve(folder);
    const file = join(base, normalize(rest === '' || rest.endsWith('/') ? `${rest}index.html` : rest));
    if (!file.startsWith(base + sep)) throw new Error('outside the served folder');
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
}

/** A loopback server for `mounts` (see `sendFile`) and in-memory `pages` by exact path. */
export async function serve(mounts, pages = {}) {
  const server = createServer((req, res) => {
    const page = pages[new URL(req.url, 'http://x').pathname];
    if (page === undefined) return sendFile(res, req.url, mounts);
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(page);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

/** Headless Chromium (`CHROMIUM`, default Debian's `/usr/bin/chromium`), quiet and offline. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}
