// Serves this example on http://127.0.0.1:8080 with the headers that let convkit use threads.
// Run: npm run example:classify [-- MODEL_DIR]   (MODEL_DIR, served as model/: model.json, its weights, labels.json)
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveExample } from '../static-server.mjs';

const modelDir = process.argv[2];
serveExample(dirname(fileURLToPath(import.meta.url)), undefined, modelDir ? { '/model/': resolve(modelDir) } : {});
