// The service of examples/service with a predict that answers at once (ten zero logits): what the
// HTTP handling and the load generator alone cost this machine's event loop. bench/service.ts
// drives it at the request rate convkit reached, as the floor under the loop delay figures.
'use strict';
const { createService, serve } = require('../../examples/service/service.js');
const { INPUT_FLOATS, LABELS } = require('../../examples/service/model.js');

const predict = async () => new Float32Array(LABELS.length);
serve(createService({ predict, inputFloats: INPUT_FLOATS, labels: LABELS, info: { library: 'none' } }), { port: 0, host: '127.0.0.1', banner: 'no model' });
