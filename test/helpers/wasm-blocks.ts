// The blocks of the wasm engine in use now, for tests that a call leaves nothing behind. A set
// of blocks, not a byte count: the collector may free blocks of layers that earlier tests
// dropped (their finalizers run between tasks, so during any await), which lowers a count but
// never adds a block.
import { expect } from 'chai';
import type { Backend } from '../../lib/backends/backend';

type WithArena = { engine: { arena: { used: Map<number, number> } } };

export function blocksInUse(b: Backend): Set<number> {
  return new Set((b as unknown as WithArena).engine.arena.used.keys());
}

/** Every block in use now was in use at `before`: nothing new is left allocated. */
export function expectNoNewBlocks(b: Backend, before: Set<number>, what: string): void {
  expect([...blocksInUse(b)].filter((ptr) => !before.has(ptr)), what).to.deep.equal([]);
}
