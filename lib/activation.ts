import { ACTIVATION, ACTIVATION_FROM_INPUT } from './generated/kernels';
import { oneOf } from './validate';

/** Activation codes passed to the kernels (from kernels.json, like their C++ and AssemblyScript mirrors). */
export const Activation = ACTIVATION;
/** The names convkit keeps and saves: Keras's (snake_case), which tfjs-layers reads too. */
export type ActivationName = keyof typeof Activation;

/**
 * Other names Keras 3 and tfjs-layers give the same functions: Keras 3's silu and hard_silu, and
 * tfjs-layers' in-memory hardSigmoid (it saves hard_sigmoid).
 */
const ALIASES = { silu: 'swish', hard_silu: 'hard_swish', hardSigmoid: 'hard_sigmoid' } as const satisfies Record<string, ActivationName>;
export type ActivationAlias = keyof typeof ALIASES;
/** Any name an `activation` option accepts. */
export type ActivationOption = ActivationName | ActivationAlias;

export const activationNames = Object.keys(Activation) as ActivationName[];
/** Every accepted name, canonical ones first. */
export const activationOptions: readonly ActivationOption[] = [...activationNames, ...(Object.keys(ALIASES) as ActivationAlias[])];

export type ActivationCode = (typeof Activation)[ActivationName];

/** The canonical name of an activation option (an alias becomes the name it stands for). */
export function canonicalActivation(name: string, v: unknown): ActivationName {
  const given = oneOf(name, v, activationOptions);
  return given in ALIASES ? ALIASES[given as ActivationAlias] : (given as ActivationName);
}

export function activationCode(name: string, v: unknown): ActivationCode {
  return Activation[canonicalActivation(name, v)];
}

/** Whether the derivative needs the pre-activation (kernels.json activationsFromInput): a backward runs the forward without it. */
export function activationFromInput(code: number): boolean {
  return ACTIVATION_FROM_INPUT.includes(code);
}
