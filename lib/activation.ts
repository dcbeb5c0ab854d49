import { oneOf } from './validate';

/**
 * Activation codes passed to the kernels. Must match native/kernels/activation.h (and the
 * AssemblyScript kernels once they exist); test/constants.test.ts checks the C++ side.
 */
export const Activation = { linear: 0, relu: 1 } as const;
export type ActivationName = keyof typeof Activation;
export const activationNames = Object.keys(Activation) as ActivationName[];

export function activationCode(name: string, v: unknown): number {
  return Activation[oneOf(name, v, activationNames)];
}
