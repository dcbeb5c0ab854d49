// Serves this example on http://127.0.0.1:8080 with the headers that let convkit use threads.
// Run: npm run example:browser
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveExample } from '../static-server.mjs';

serveExample(dirname(fileURLToPath(import.meta.url)));
