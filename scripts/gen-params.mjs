// The op parameters of kernels.json ("params") as each language needs them: TypeScript types and
// size lists (lib/generated/params.ts), C++ structs and their N-API readers
// (native/generated/params.h). Used by gen-kernels.mjs, which writes and checks every mirror.
// An op's list may start with a group's name ("window"): its fields come first, as a base
// (TypeScript) or a member named after the group (C++).

const NAMES = { window: 'Window', conv2d: 'Conv2D', maxpool2d: 'MaxPool2D', dense: 'Dense',
  avgpool2d: 'AvgPool2D', pad2d: 'Pad2D', activation: 'ActivationOp' };
const typeName = (op, kind) => `${NAMES[op] ?? op[0].toUpperCase() + op.slice(1)}${kind}`;

const isSize = (f) => typeof f[1] === 'number';
const optional = (f) => typeof f[1] === 'string' && f[1].startsWith('optional ');
// An attribute count that may be left out (1 when it is).
const optionalSize = (f) => f[1] === 'optional size';
const groupsOf = (list) => list.filter((f) => typeof f === 'string');
const ownOf = (list) => list.filter((f) => typeof f !== 'string');

/** Every [name, min] size of an op, groups spelled out. */
function sizesOf(lists, op) {
  return lists[op].flatMap((f) => (typeof f === 'string' ? sizesOf(lists, f) : isSize(f) ? [f] : []));
}

function tsParams(params, header) {
  const decl = (lists, kind) => Object.entries(lists).map(([op, list]) => {
    const name = typeName(op, kind), bases = groupsOf(list).map((g) => typeName(g, kind)), own = ownOf(list);
    if (!own.length && bases.length === 1) return `export type ${name} = ${bases[0]};`;
    const fields = own.map((f) => `  ${f[0]}${optional(f) ? '?' : ''}: ${f[1] === 'activation' || f[1] === 'number' || isSize(f) || optionalSize(f) ? 'number' : 'boolean'};`);
    return `export interface ${name}${bases.length ? ` extends ${bases.join(', ')}` : ''} {\n${fields.join('\n')}\n}`;
  });
  const sizes = Object.fromEntries(Object.keys(params.geometry).map((op) => [op, sizesOf(params.geometry, op)]));
  return `${header}
// ${params.comment}

${[...decl(params.geometry, 'Geometry'), ...decl(params.attributes, 'Attributes')].join('\n\n')}

/** The sizes of each op's geometry, with their minimums. */
export const GEOMETRY_SIZES = ${JSON.stringify(sizes)} as const;
`;
}

function cppParams(params, header) {
  const read = (f) => {
    if (isSize(f)) return `SizeField(p, "${f[0]}", ${f[1]}, kMaxDim)`;
    if (f[1] === 'activation') return 'ActivationField(p)';
    if (f[1] === 'number') return `float(NumberField(p, "${f[0]}"))`;
    if (optionalSize(f)) return `OptionalSizeField(p, "${f[0]}", 1, kMaxDim)`;
    return `BoolField(p, "${f[0]}"${optional(f) ? ', true' : ''})`;
  };
  const decl = (lists, kind) => Object.entries(lists).map(([op, list]) => {
    const name = typeName(op, kind), groups = groupsOf(list), own = ownOf(list);
    if (!own.length && groups.length === 1) {
      const base = typeName(groups[0], kind);
      return `using ${name} = ${base};\n\ninline ${name} Read${name}(const Napi::Object& p) { return Read${base}(p); }`;
    }
    const members = [
      ...groups.map((g) => `  ${typeName(g, kind)} ${g};`),
      ...own.map((f) => `  ${isSize(f) || optionalSize(f) ? 'size_t' : f[1] === 'activation' ? 'Activation' : f[1] === 'number' ? 'float' : 'bool'} ${f[0]};`),
    ];
    const reads = [...groups.map((g) => `  v.${g} = Read${typeName(g, kind)}(p);`), ...own.map((f) => `  v.${f[0]} = ${read(f)};`)];
    return `struct ${name} {\n${members.join('\n')}\n};\n\ninline ${name} Read${name}(const Napi::Object& p) {\n  ${name} v;\n${reads.join('\n')}\n  return v;\n}`;
  });
  return `${header}
// ${params.comment}
// Each reader reads every field of params: getters may run JavaScript, so callers read params
// before any array (see napi/args.h).
#pragma once
#include <napi.h>

#include <cstddef>

#include "napi/args.h"

namespace convkit {
namespace napi {

${[...decl(params.geometry, 'Geometry'), ...decl(params.attributes, 'Attributes')].join('\n\n')}

}  // namespace napi
}  // namespace convkit
`;
}

export function paramsOutputs(spec, header) {
  return {
    'native/generated/params.h': cppParams(spec.params, header),
    'lib/generated/params.ts': tsParams(spec.params, header),
  };
}
