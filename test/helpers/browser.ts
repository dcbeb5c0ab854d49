// Headless Chromium for the browser tests: a static server on 127.0.0.1 for the browser bundle
// (with and without cross-origin isolation), and playwright-core driving Debian's Chromium.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(__dirname, '..', '..');

const PAGE = '<!doctype html><meta charset="utf-8"><title>convkit test</title><p>convkit browser test</p>';
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** Serves /isolated.html (crossOriginIsolated), /plain.html, /convkit.mjs and the given files (by URL path); nothing else. */
export async function serveBundle(files: Record<string, Uint8Array> = {}): Promise<{ url: string; close(): Promise<void> }> {
  const bundle = readFileSync(join(ROOT, 'dist', 'browser', 'convkit.mjs'));
  const server: Server = createServer((req, res) => {
    const isolated = (req.headers.referer ?? '').includes('isolated') || req.url === '/isolated.html';
    const headers: Record<string, string> = { 'Cross-Origin-Resource-Policy': 'same-origin', ...(isolated ? ISOLATION : {}) };
    if (req.url === '/isolated.html' || req.url === '/plain.html') res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(PAGE);
    else if (req.url === '/convkit.mjs') res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(bundle);
    else if (Object.hasOwn(files, req.url!)) res.writeHead(200, { ...headers, ...(req.url!.endsWith('.mjs') ? { 'Content-Type': 'text/javascript' } : {}) }).end(files[req.url!]);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Chromium with a fresh profile (playwright makes a new temporary user-data-dir per launch). */
export async function launchChromium(): Promise<{ browser: any; close(): Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return { browser, close: () => browser.close() };
}

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** Inside a describe: true when Chromium is here; otherwise adds a test that skips saying why. */
export function withChromium(): boolean {
  if (chromiumAvailable()) return true;
  it('needs Chromium', function () {
    console.log(`      skipped: no Chromium at ${CHROMIUM} (.ci/run installs it with apt; set CHROMIUM_PATH to use another)`);
    this.skip();
  });
  return false;
}

/**
 * An example's own server (examples/<name>/serve.mjs, given `args`) on a free port, in its own
 * process: never serve a page and drive Chromium from one process. Resolves with its URL once it
 * prints it.
 */
export async function serveExample(name: string, args: string[] = []): Promise<{ url: string; close(): void }> {
  const server = spawn(process.execPath, [join(ROOT, 'examples', name, 'serve.mjs'), ...args], { env: { ...process.env, PORT: '0' } });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      server.stdout.on('data', (b) => {
        const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(String(b));
        if (m) resolve(m[0]);
      });
      server.once('exit', (code) => reject(new Error(`examples/${name}/serve.mjs exited with ${code}`)));
    });
    return { url, close: () => server.kill() };
  } catch (e) {
    server.kill();
    throw e;
  }
}

/**
 * An example's page opened in a fresh Chromium: the tab, the page errors and console errors it
 * has logged so far, and close() for both the browser and the example's server.
 */
export async function openExample(name: string, args: string[] = []): Promise<{ tab: any; errors: string[]; close(): Promise<void> }> {
  const server = await serveExample(name, args);
  const chromium = await launchChromium().catch((e) => {
    server.close();
    throw e;
  });
  const close = async () => {
    await chromium.close();
    server.close();
  };
  try {
    const tab = await chromium.browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e: Error) => errors.push(e.message));
    tab.on('console', (m: { type(): string; text(): string }) => m.type() === 'error' && errors.push(m.text()));
    await tab.goto(server.url);
    return { tab, errors, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** `script` (a function's source, called with `args`) evaluated in /plain.html served with `files`: its result, the page's errors and the server's URL. */
export async function evaluateInPage<T>(files: Record<string, Uint8Array>, script: string, args: unknown): Promise<{ result: T; errors: string[]; url: string }> {
  const server = await serveBundle(files);
  const chromium = await launchChromium();
  try {
    const tab = await chromium.browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e: Error) => errors.push(e.message));
    await tab.goto(`${server.url}/plain.html`);
    return { result: await tab.evaluate(`(${script})(${JSON.stringify(args)})`), errors, url: server.url };
  } finally {
    await chromium.close();
    await server.close();
  }
}
