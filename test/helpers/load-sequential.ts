// loadModel for the tests of Sequential models: the loaded model, checked to be a Sequential.
import * as ck from '../../lib/index';

export async function loadSequential(source: Parameters<typeof ck.loadModel>[0]): Promise<ck.Sequential> {
  const m = await ck.loadModel(source);
  if (!(m instanceof ck.Sequential)) throw new Error(`Expected loadModel to give a Sequential but it gave a ${m.constructor.name}`);
  return m;
}
