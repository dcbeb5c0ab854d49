// Loads a peer library from bench/node_modules (installed by peers/install.ts), never from
// convkit's own dependencies. Loaded on first use, so convkit-only runs need none of them.
import { join } from 'node:path';

export function peer(name: string): any {
  return require(require.resolve(name, { paths: [join(__dirname, '..')] }));
}
