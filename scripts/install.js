// `npm install` hook, through node-gyp-build's installer: when a prebuilt binary in prebuilds/
// matches the platform (linux-x64, linux-arm64 on glibc) and loads here, nothing is compiled and
// nothing is said; otherwise, or with `--build-from-source`, node-gyp builds the addon into
// build/ (which the loader then prefers). When that fails, say why in one line and succeed
// anyway: convkit then runs on its WebAssembly backend.
const { spawnSync } = require('node:child_process');

const bin = require.resolve('node-gyp-build/bin.js');
const r = spawnSync(process.execPath, [bin], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (r.status === 0) {
  process.stdout.write(r.stdout);
} else {
  const lines = `${r.stderr || ''}${r.stdout || ''}`.split('\n').map((l) => l.trim()).filter(Boolean);
  const reason = lines.find((l) => /not found|error|Error|cannot|failed/i.test(l)) || lines[lines.length - 1] || `exit code ${r.status}`;
  console.log(`convkit: the native addon could not be built (${reason}); using the WebAssembly backend instead.`);
}
