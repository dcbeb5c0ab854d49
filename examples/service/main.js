// Starts the service on convkit. Run: node examples/service/main.js [--port 3000] [--host 127.0.0.1] [--threads n]
// [--batch] [--library-defaults] (or PORT, HOST, CONVKIT_THREADS). Port 0 picks a free port; the
// first line printed says which. --batch joins concurrent requests into batches (model.batcher);
// --library-defaults leaves the thread count to convkit (no setNumThreads).
'use strict';

const os = require('node:os');
const { parseArgs } = require('node:util');
const ck = require('convkit');
const { createService, serve } = require('./service');
const { INPUT_FLOATS, LABELS, loadModel, convkitPredictor } = require('./model');

const { values } = parseArgs({
  options: {
    port: { type: 'string' }, host: { type: 'string' }, threads: { type: 'string' },
    batch: { type: 'boolean', default: false }, 'library-defaults': { type: 'boolean', default: false },
  },
});

// Thread policy for a service: compute gets every core but one, so that the event loop always
// has a core to answer on (on 2 cores: 1 compute thread). examples/service/README.md says why.
if (!values['library-defaults']) ck.setNumThreads(Number(values.threads ?? process.env.CONVKIT_THREADS ?? Math.max(1, os.availableParallelism() - 1)));

const model = loadModel(ck);
const { isa } = ck.backendInfo();
const service = createService({
  predict: convkitPredictor(ck, model, { batch: values.batch }),
  inputFloats: INPUT_FLOATS,
  labels: LABELS,
  info: { library: 'convkit', backend: ck.getBackend(), isa, threads: ck.getNumThreads(), batched: values.batch },
});

serve(service, {
  port: Number(values.port ?? process.env.PORT ?? 3000),
  host: values.host ?? process.env.HOST ?? '127.0.0.1',
  banner: `convkit ${ck.getBackend()}, ${ck.getNumThreads()} compute thread(s)`,
});
