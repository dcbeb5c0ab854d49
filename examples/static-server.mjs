// Serves an example's folder on 127.0.0.1 with the cross-origin isolation headers that let
// convkit use threads (SharedArrayBuffer + Web Workers), and /convkit.mjs from dist/browser.
// `mounts` serves other folders under URL prefixes ({ '/model/': '/some/dir' }).
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUNDLE = fileURLToPath(new URL('../dist/browser/convkit.mjs', import.meta.url));
const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json',
  '.bin': 'application/octet-stream', '.png': 'image/png',
};

/** Starts serving `dir`; prints the URL (port 0 picks a free one). */
export function serveExample(dir, port = Number(process.env.PORT ?? 8080), mounts = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const mount = Object.keys(mounts).find((prefix) => path.startsWith(prefix));
    const root = mount ? mounts[mount] : dir;
    const file = path === '/convkit.mjs' ? BUNDLE : normalize(join(root, mount ? path.slice(mount.length) : path === '/' ? 'index.html' : path));
    const type = TYPES[extname(file)];
    if (!type || (file !== BUNDLE && !file.startsWith(root + sep))) return res.writeHead(404).end('not found');
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': type,
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  server.listen(port, '127.0.0.1', () => console.log(`convkit example on http://127.0.0.1:${server.address().port}/`));
  return server;
}
