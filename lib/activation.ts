import { ACTIVATION } from './generated/kernels';
import { oneOf } from './validate';

/** Activation codes passed to the kernels (from kernels.json, like their C++ and AssemblyScript mirrors). */
export const Activation = ACTIVATION;
export type ActivationName = keyof typeof Activation;
export const activationNames = Object.keys(Activation) as ActivationName[];

export type ActivationCode = (typeof Activation)[ActivationName];

export function activationCode(name: string, v: unknown): ActivationCode {
  return Activation[oneOf(name, v, activationNames)];
}
