// An HTTP inference service on node:http alone: POST /predict with one image as raw float32
// bytes, answered with the label and the scores as JSON; GET /health and GET /stats. It knows
// nothing of the model but `predict(image) -> Promise<logits>`, so the same service runs any
// library (the benchmark runs it on onnxruntime-node too).
'use strict';

const http = require('node:http');
const { createHistogram, monitorEventLoopDelay } = require('node:perf_hooks');

// The loop-delay monitor's timer period: each sample is the time between two of its ticks, so
// the delay is the sample minus this (as @fastify/under-pressure reports it).
const LOOP_RESOLUTION_MS = 1;

/** Thrown while reading a request: its status and a message for the client. */
class HttpError extends Error {
  constructor(status, message, headers = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

/** Scores that sum to 1 (a softmax of the logits, computed stably) and the index of the largest. */
function softmax(logits) {
  let max = -Infinity, best = 0;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) (max = logits[i]), (best = i);
  const scores = new Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += scores[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < scores.length; i++) scores[i] /= sum;
  return { best, scores };
}

/** Milliseconds of a nanosecond histogram's percentiles, minus an offset, never below 0. */
function summary(h, offsetMs = 0) {
  const ms = (ns) => Math.max(0, ns / 1e6 - offsetMs);
  if (h.count === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
  return { count: h.count, p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
}

/**
 * Reads the body of a predict request into a Float32Array of `floats` values, or throws an
 * HttpError: 415 for another content type, 413 above the size (before reading it when the
 * Content-Length says so), 400 for any other size or a value that is not finite.
 */
async function readImage(req, floats) {
  const bytes = floats * 4;
  const type = (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/octet-stream') {
    throw new HttpError(415, `Expected Content-Type application/octet-stream (${floats} float32 values, little-endian) but received ${type || 'none'}`);
  }
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > bytes) {
    throw new HttpError(413, `Expected a body of ${bytes} bytes but Content-Length is ${declared}`);
  }
  const image = new Float32Array(floats);
  const target = new Uint8Array(image.buffer);
  let received = 0;
  for await (const chunk of req) {
    if (received + chunk.length > bytes) throw new HttpError(413, `Expected a body of ${bytes} bytes but received more`);
    target.set(chunk, received);
    received += chunk.length;
  }
  if (received !== bytes) throw new HttpError(400, `Expected a body of ${bytes} bytes (${floats} float32 values) but received ${received}`);
  for (let i = 0; i < floats; i++) {
    if (!Number.isFinite(image[i])) throw new HttpError(400, `Expected finite values but value ${i} is ${image[i]}`);
  }
  return image;
}

/**
 * The service. options: predict(image: Float32Array) -> Promise<ArrayLike<number>> (the logits),
 * inputFloats, labels, info (extra fields for /health and /stats), shutdownTimeoutMs.
 * Returns { server, shutdown(): Promise<void> }; listen with server.listen(port, host).
 */
function createService({ predict, inputFloats, labels, info = {}, shutdownTimeoutMs = 10000 }) {
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  const inference = createHistogram();
  const started = Date.now();
  let windowStart = started;
  const byStatus = {};
  let inFlight = 0;
  let closing = null;

  const send = (res, status, body, headers = {}) => {
    byStatus[status] = (byStatus[status] || 0) + 1;
    const text = JSON.stringify(body);
    // While shutting down, every answer closes its connection, so that keep-alive clients go.
    if (closing) headers.Connection = 'close';
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  const stats = (reset) => {
    const out = {
      ...info,
      uptimeSeconds: (Date.now() - started) / 1000,
      windowSeconds: (Date.now() - windowStart) / 1000,
      predictionsInFlight: inFlight,
      responses: { ...byStatus },
      inferenceMs: summary(inference),
      eventLoopDelayMs: summary(loop, LOOP_RESOLUTION_MS),
    };
    if (reset) {
      loop.reset();
      inference.reset();
      windowStart = Date.now();
    }
    return out;
  };

  async function predictRoute(req, res) {
    inFlight++;
    let logits, t0;
    try {
      const image = await readImage(req, inputFloats);
      t0 = process.hrtime.bigint();
      logits = await predict(image);
    } finally {
      inFlight--;
    }
    inference.record(Math.max(1, Number(process.hrtime.bigint() - t0)));
    const { best, scores } = softmax(logits);
    send(res, 200, { label: labels[best], index: best, scores });
  }

  const routes = {
    '/predict': { POST: predictRoute },
    '/health': { GET: (req, res) => send(res, closing ? 503 : 200, { status: closing ? 'shutting down' : 'ok', ...info }) },
    '/stats': { GET: (req, res, query) => send(res, 200, stats(query.get('reset') === '1')) },
  };

  async function handle(req, res) {
    try {
      const url = new URL(req.url, 'http://service');
      const route = routes[url.pathname];
      if (!route) throw new HttpError(404, `No route ${url.pathname}: try POST /predict, GET /health, GET /stats`);
      const handler = route[req.method];
      if (!handler) throw new HttpError(405, `Expected ${Object.keys(route).join(' or ')} for ${url.pathname} but received ${req.method}`, { Allow: Object.keys(route).join(', ') });
      await handler(req, res, url.searchParams);
    } catch (e) {
      if (res.headersSent || res.destroyed) return;
      if (e instanceof HttpError) {
        // A body left unread would be parsed as the next request: close the connection instead.
        const unread = !req.complete;
        send(res, e.status, { error: e.message }, unread ? { ...e.headers, Connection: 'close' } : e.headers);
        if (unread) req.resume();
      } else {
        console.error(e);
        send(res, 500, { error: 'internal error' });
      }
    }
  }

  const server = http.createServer((req, res) => void handle(req, res));
  // Bounds what a slow or endless client can hold: the whole request within 10 s.
  server.requestTimeout = 10000;
  server.headersTimeout = 5000;

  /**
   * Stops accepting connections, lets the requests in flight finish (each answer then closes its
   * connection), and resolves once every connection is closed, or after shutdownTimeoutMs, when
   * the remaining ones are cut.
   */
  function shutdown() {
    if (closing) return closing;
    closing = new Promise((resolve) => {
      const timer = setTimeout(() => {
        server.closeAllConnections();
        resolve(false);
      }, shutdownTimeoutMs);
      timer.unref();
      server.close(() => {
        clearTimeout(timer);
        loop.disable();
        resolve(true);
      });
      server.closeIdleConnections();
    });
    return closing;
  }

  return { server, shutdown, stats };
}

/**
 * Listens, prints one line saying where (the port first when 0 picked one), and on SIGTERM (what
 * orchestrators send) or Ctrl-C finishes the requests in flight, then exits: 0 when everything
 * closed in time, 1 when connections had to be cut.
 */
function serve({ server, shutdown }, { port, host, banner }) {
  server.listen(port, host, () => console.log(`listening on http://${host}:${server.address().port} (${banner})`));
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.once(signal, async () => {
      console.log(`${signal}: closing, waiting for requests in flight`);
      const clean = await shutdown();
      console.log(clean ? 'closed' : 'closed after the shutdown timeout, connections cut');
      process.exit(clean ? 0 : 1);
    });
  }
}

module.exports = { createService, serve, HttpError, softmax };
