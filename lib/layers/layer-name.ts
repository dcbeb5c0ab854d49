// Layer names, as Keras gives them: the `name` option (or property), else the class name in
// snake_case and a count unique in the process (conv2d_1, conv2d_2, batch_normalization_1, ...).
// Functional models find their layers by name and the model format writes them.
import { describe } from '../validate';

const counts = new Map<string, number>();

/** Keras's snake_case of a class name: Conv2D -> conv2d, BatchNormalization -> batch_normalization, ReLU -> re_lu. */
export function snakeCase(className: string): string {
  return className.replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The next unused automatic name for a class. */
export function autoName(className: string): string {
  const base = snakeCase(className), n = (counts.get(base) ?? 0) + 1;
  counts.set(base, n);
  return `${base}_${n}`;
}

/** A name checked: a non-empty string without '/', which the weight names use to separate the layer from the weight. */
export function checkName(v: unknown): string {
  if (typeof v !== 'string' || v.length === 0 || v.includes('/')) throw new TypeError(`Expected non-empty string without '/' for name but received ${describe(v)}`);
  return v;
}

/** The `name` of a layer's options object, checked, or undefined when it has none. */
export function nameOption(opts: unknown): string | undefined {
  if (typeof opts !== 'object' || opts === null) return undefined;
  const v = (opts as { name?: unknown }).name;
  return v === undefined ? undefined : checkName(v);
}

/** A name kept by a layer or model: given, or made from its class on first read. */
export class Named {
  private given: string | undefined;

  constructor(private readonly className: () => string) {}

  get(): string {
    return (this.given ??= autoName(this.className()));
  }

  set(v: unknown): void {
    this.given = checkName(v);
  }

  /** Takes the options' name, when they have one. */
  from(opts: unknown): void {
    const n = nameOption(opts);
    if (n !== undefined) this.given = n;
  }
}

/** A layer or model with a name: the `name` option (nameFrom) or property, else one made from its class. */
export abstract class NamedObject {
  private readonly named = new Named(() => this.constructor.name);

  /** The name (the `name` option, else the class in snake_case and a count: conv2d_1): how a model finds it and how the model format writes it. */
  get name(): string {
    return this.named.get();
  }

  set name(v: string) {
    this.named.set(v);
  }

  /** @internal Takes the `name` of the options, when they have one (each constructor). */
  protected nameFrom(opts: unknown): void {
    this.named.from(opts);
  }
}
