// onnxruntime-node from the peers' install (bench/node_modules), installed on first use; a
// string saying why when it cannot be reached.
import { join } from 'node:path';
import { ensurePeersInstalled } from '../../bench/peers/install';

export interface Ort {
  InferenceSession: { create(b: Uint8Array, o?: object): Promise<{ run(f: object): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> }> };
  Tensor: new (t: string, d: Float32Array, s: number[]) => object;
}

export function loadOrt(): Ort | string {
  const find = () => require(require.resolve('onnxruntime-node', { paths: [join(__dirname, '..', '..', 'bench')] })) as Ort;
  try {
    return find();
  } catch {
    const note = ensurePeersInstalled();
    try {
      return find();
    } catch (e) {
      return `onnxruntime-node is not reachable from bench/ (${note ?? (e as Error).message})`;
    }
  }
}

/** What onnxruntime-node computes for one input. */
export async function ortRun(ort: Ort, bytes: Uint8Array, name: string, x: Float32Array, dims: number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const out = await session.run({ [name]: new ort.Tensor('float32', x, dims) });
  return Object.values(out)[0];
}
