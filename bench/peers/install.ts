// Installs the peer libraries into bench/node_modules from bench/package-lock.json when they are
// missing. onnxruntime-node's own download of GPU binaries is skipped (its CPU runtime is bundled).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const BENCH = join(__dirname, '..');

/** Returns a note when the install failed (the peers then report themselves unavailable). */
export function ensurePeersInstalled(): string | undefined {
  const marker = join(BENCH, 'node_modules', '.package-lock.json');
  const lock = join(BENCH, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return undefined;
  process.stderr.write('installing the peer libraries into bench/node_modules (npm ci)...\n');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: BENCH, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
  if (r.status === 0) return undefined;
  const note = `npm ci in bench/ failed: ${(r.stderr ?? String(r.error)).trim().split('\n').slice(-3).join(' ')}`;
  process.stderr.write(`${note}\n`);
  return note;
}
