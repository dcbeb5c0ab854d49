// examples/service as a user runs it: a child process on an ephemeral port. A valid request gets
// the model's answer; every bad request gets its status and a JSON error, never a crash; SIGTERM
// lets a request in flight finish, then the process exits 0.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import * as ck from '../lib/index';

const ROOT = join(__dirname, '..');
const { INPUT_FLOATS, INPUT_SHAPE, LABELS, loadModel } = require('../examples/service/model.js');
const BYTES = INPUT_FLOATS * 4;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** One request; the body is written in parts with a pause between them when given as an array. */
function call(port: number, method: string, path: string, body?: Buffer | Buffer[], headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : null });
      });
    });
    req.on('error', reject);
    const parts = body === undefined ? [] : Array.isArray(body) ? body : [body];
    (async () => {
      for (const [i, p] of parts.entries()) {
        if (i) await new Promise((r) => setTimeout(r, 20));
        req.write(p);
      }
      req.end();
    })();
  });
}

const octets = { 'content-type': 'application/octet-stream' };
const imageBytes = (seed: number) => {
  const x = new Float32Array(INPUT_FLOATS);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.1 + seed);
  return { x, bytes: Buffer.from(x.buffer) };
};

/** Starts the example; resolves with its process and port once it listens. */
async function start(): Promise<{ proc: ChildProcess; port: number; output: () => string; exited: Promise<number | null> }> {
  const proc = spawn(process.execPath, [join('examples', 'service', 'main.js'), '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout!.on('data', (b) => (output += b));
  proc.stderr!.on('data', (b) => (output += b));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 600; i++) {
    const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
    if (m) return { proc, port: Number(m[1]), output: () => output, exited };
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill('SIGKILL');
  throw new Error(`the service did not start: ${output}`);
}

describe('examples/service', function () {
  let service: Awaited<ReturnType<typeof start>>;
  before(async () => {
    service = await start();
  });
  after(() => {
    if (service.proc.exitCode === null) service.proc.kill('SIGKILL');
  });

  it('answers a valid image with the label and the scores of the model', async () => {
    const { x, bytes } = imageBytes(1);
    const r = await call(service.port, 'POST', '/predict', bytes, octets);
    expect(r.status).to.equal(200);
    // The same seeded model computed here, and its softmax written out independently.
    const logits = Array.from(loadModel(ck).forward(new ck.Tensor(x, [1, ...INPUT_SHAPE])).data as Float32Array);
    const exps = logits.map((v) => Math.exp(v - Math.max(...logits)));
    const scores = exps.map((e) => e / exps.reduce((a, b) => a + b, 0));
    expect(r.body.scores).to.have.length(LABELS.length);
    r.body.scores.forEach((s: number, i: number) => expect(s).to.be.closeTo(scores[i], 1e-5));
    expect(r.body.index).to.equal(scores.indexOf(Math.max(...scores)));
    expect(r.body.label).to.equal(LABELS[r.body.index]);
  });

  it('answers every bad request with its status and a JSON error, and keeps serving', async () => {
    const { bytes } = imageBytes(2);
    const nan = new Float32Array(INPUT_FLOATS);
    nan[5] = NaN;
    const cases: [string, () => Promise<Reply>, number, RegExp][] = [
      ['no content type', () => call(service.port, 'POST', '/predict', bytes), 415, /Content-Type application\/octet-stream/],
      ['JSON body', () => call(service.port, 'POST', '/predict', Buffer.from('{"x":[1]}'), { 'content-type': 'application/json' }), 415, /received application\/json/],
      ['short body', () => call(service.port, 'POST', '/predict', bytes.subarray(0, 100), octets), 400, new RegExp(`${BYTES} bytes .* received 100`)],
      ['empty body', () => call(service.port, 'POST', '/predict', Buffer.alloc(0), octets), 400, /received 0/],
      ['NaN in the image', () => call(service.port, 'POST', '/predict', Buffer.from(nan.buffer), octets), 400, /value 5 is NaN/],
      ['too large, by Content-Length', () => call(service.port, 'POST', '/predict', Buffer.alloc(BYTES + 4), { ...octets, 'content-length': String(BYTES + 4) }), 413, /Content-Length is/],
      ['too large, chunked', () => call(service.port, 'POST', '/predict', [bytes, bytes], { ...octets, 'transfer-encoding': 'chunked' }), 413, /received more/],
      ['GET /predict', () => call(service.port, 'GET', '/predict'), 405, /Expected POST/],
      ['POST /health', () => call(service.port, 'POST', '/health', Buffer.from('x'), octets), 405, /Expected GET/],
      ['unknown path', () => call(service.port, 'GET', '/nope'), 404, /No route \/nope/],
    ];
    for (const [name, send, status, message] of cases) {
      const r = await send();
      expect(r.status, name).to.equal(status);
      expect(r.body.error, name).to.match(message);
      if (status === 405) expect(r.headers.allow, name).to.be.a('string');
    }
    // A malformed request line and a client that leaves mid-body.
    await new Promise<void>((resolve) => {
      const s = connect(service.port, '127.0.0.1', () => s.end('NOT HTTP\r\n\r\n'));
      s.on('data', (d) => expect(d.toString()).to.match(/^HTTP\/1\.1 400/));
      s.on('close', () => resolve());
    });
    await new Promise<void>((resolve) => {
      const s = connect(service.port, '127.0.0.1', () => {
        s.write(`POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: ${BYTES}\r\n\r\n`);
        s.write(bytes.subarray(0, 1000), () => setTimeout(() => (s.destroy(), resolve()), 20));
      });
    });
    const ok = await call(service.port, 'POST', '/predict', bytes, octets);
    expect(ok.status).to.equal(200);
    expect(service.proc.exitCode).to.equal(null);
    const stats = (await call(service.port, 'GET', '/stats')).body;
    expect(stats.responses['415']).to.equal(2);
    expect(stats.responses['400']).to.equal(3);
    expect(stats.responses['413']).to.equal(2);
  });

  it('reports health and stats, with the event-loop delay measured inside the service', async () => {
    const health = await call(service.port, 'GET', '/health');
    expect(health.status).to.equal(200);
    expect(health.body).to.include({ status: 'ok', library: 'convkit', backend: ck.getBackend() });
    const stats = (await call(service.port, 'GET', '/stats?reset=1')).body;
    expect(stats.eventLoopDelayMs.count).to.be.above(0);
    expect(stats.eventLoopDelayMs.p99).to.be.at.least(stats.eventLoopDelayMs.p50);
    expect(stats.inferenceMs.count).to.be.above(0);
    const after = (await call(service.port, 'GET', '/stats')).body;
    expect(after.inferenceMs.count, 'reset=1 starts a new window').to.equal(0);
  });

  it('on SIGTERM: the request in flight is answered, new connections are refused, the process exits 0', async () => {
    const { bytes } = imageBytes(3);
    // Headers and half the body now; the rest after SIGTERM.
    let finish!: () => void;
    const pending = new Promise<Reply>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: service.port, method: 'POST', path: '/predict', headers: { ...octets, 'content-length': String(BYTES) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString()) }));
      });
      req.on('error', reject);
      req.write(bytes.subarray(0, BYTES / 2));
      finish = () => req.end(bytes.subarray(BYTES / 2));
    });
    for (let i = 0; (await call(service.port, 'GET', '/stats')).body.predictionsInFlight !== 1; i++) {
      if (i > 200) throw new Error('the request never reached the service');
      await new Promise((r) => setTimeout(r, 10));
    }
    service.proc.kill('SIGTERM');
    for (let i = 0; !/SIGTERM: closing/.test(service.output()); i++) {
      if (i > 200) throw new Error(`the service did not react to SIGTERM: ${service.output()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const refused = await call(service.port, 'GET', '/health').then(() => null, (e) => e);
    expect(refused).to.have.property('code', 'ECONNREFUSED');
    finish();
    const r = await pending;
    expect(r.status).to.equal(200);
    expect(r.headers.connection).to.equal('close');
    expect(r.body.scores).to.have.length(LABELS.length);
    expect(await service.exited).to.equal(0);
    expect(service.output()).to.match(/closed\n/);
  });
});
