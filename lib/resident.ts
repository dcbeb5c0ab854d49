// Tensors whose data lives in the backend's own memory, so that calls on them skip the copy in:
// what TensorFlow.js's tensors are. On the wasm backend with shared memory (its threaded builds:
// Node, cross-origin-isolated pages) a resident tensor's data is a view of the module's memory,
// and every op reads it in place; elsewhere it is an ordinary copy.
import { backend, loadedBackends } from './backends/select';
import { checkInput, Tensor } from './tensor';

/**
 * A new tensor with x's shape and a copy of its values, placed where the backend in use reads
 * without copying: on the wasm backend with shared memory, the module's memory (its data is a
 * view of it; writes to it are seen by the next call). Free it with releaseTensor when done (it
 * is also freed once collected); a released tensor must not be used again (wasm calls refuse
 * it). An async call reads a resident input in place: do not write to its data until the call
 * settles. On the native backend and on wasm without shared memory, an ordinary copy.
 */
export function residentTensor(x: Tensor): Tensor {
  const t = checkInput('residentTensor', x, 0, true);  // any rank
  const data = backend().resident?.(t.data) ?? t.data.slice();
  return new Tensor(data, t.shape);
}

/** Frees the memory of a tensor made by residentTensor (on any backend); no-op for other tensors. */
export function releaseTensor(t: Tensor): void {
  checkInput('releaseTensor', t, 0, true);
  // The backend that made it may no longer be the one in use.
  for (const b of loadedBackends()) if (b.releaseResident?.(t.data)) return;
}
