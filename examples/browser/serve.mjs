// Serves this example on http://127.0.0.1:8080 with the cross-origin isolation headers that let
// convkit use threads (SharedArrayBuffer + Web Workers). Run: npm run example:browser
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const files = {
  '/': [join(here, 'index.html'), 'text/html'],
  '/index.html': [join(here, 'index.html'), 'text/html'],
  '/main.js': [join(here, 'main.js'), 'text/javascript'],
  '/convkit.mjs': [join(here, '..', '..', 'dist', 'browser', 'convkit.mjs'), 'text/javascript'],
};
const port = Number(process.env.PORT ?? 8080);
const server = createServer((req, res) => {
  const file = files[req.url.split('?')[0]];
  if (!file) return res.writeHead(404).end('not found');
  res.writeHead(200, {
    'Content-Type': file[1],
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
  }).end(readFileSync(file[0]));
});
server.listen(port, '127.0.0.1', () => console.log(`convkit example on http://127.0.0.1:${server.address().port}/`));
