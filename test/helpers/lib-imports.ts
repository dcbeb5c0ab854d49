// The import graph of lib/, read from the TypeScript sources: static `import ... from`, side-effect
// `import '...'`, `export ... from` and `require('...')` of relative paths that resolve to a .ts
// file of lib/. Packages, node: built-ins and the wasm binaries the browser entry embeds are not
// edges. An import is type-only when it is `import type` / `export type`, or when every name it
// brings is marked `type`: TypeScript removes those from the JavaScript it emits.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface Edge {
  to: string;
  typeOnly: boolean;
}

/** Every .ts file under `root`, as paths relative to it with '/' separators, sorted. */
export function tsFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) out.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

/** Lines as `wc -l` counts them (newlines; a last line without one counts too). */
export function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** The source without comments, so that an import named in a comment is not an edge. */
function stripComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/(^|\s)\/\/.*$/gm, '$1');
}

// `import X from`, `import { a, type B } from`, `import * as X from`, `import X, { a } from`,
// and `export { a } from`, `export * from`, `export * as X from`; `type` may follow the keyword.
const FROM = /(?:^|[;\n])\s*(import|export)\s+(type\s+)?((?:[\w$]+\s*,\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?|[\w$]+))\s+from\s+['"]([^'"]+)['"]/g;
const SIDE_EFFECT = /(?:^|[;\n])\s*import\s+['"]([^'"]+)['"]/g;
const REQUIRE = /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;

/** True when every name between the braces is marked `type` (and nothing stands outside them). */
function allTypeNames(clause: string): boolean {
  const braces = /^\{([^}]*)\}$/.exec(clause.trim());
  if (!braces) return false;
  const names = braces[1].split(',').map((n) => n.trim()).filter(Boolean);
  return names.length > 0 && names.every((n) => /^type\s/.test(n));
}

/** The lib/ file a relative specifier names, or null (a package, a built-in, a binary). */
function resolveIn(root: string, from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(root, dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate)) return relative(root, candidate).split(sep).join('/');
  }
  return null;
}

/** The edges from one file (relative to root), type-only ones marked. */
export function importsOf(root: string, file: string): Edge[] {
  const text = stripComments(readFileSync(join(root, file), 'utf8'));
  const edges: Edge[] = [];
  const add = (spec: string, typeOnly: boolean) => {
    const to = resolveIn(root, file, spec);
    if (to) edges.push({ to, typeOnly });
  };
  for (const m of text.matchAll(FROM)) add(m[4], m[2] !== undefined || allTypeNames(m[3]));
  for (const m of text.matchAll(SIDE_EFFECT)) add(m[1], false);
  for (const m of text.matchAll(REQUIRE)) add(m[1], false);
  return edges;
}

/** file -> the files it imports (type-only imports left out unless `withTypes`). */
export function importGraph(root: string, withTypes = false): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(root)) {
    if (file.endsWith('.d.ts')) continue; // declarations: no code
    const to = importsOf(root, file).filter((e) => withTypes || !e.typeOnly).map((e) => e.to);
    graph.set(file, [...new Set(to)].sort());
  }
  return graph;
}

/** The strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found.sort((a, b) => a[0].localeCompare(b[0]));
}

/** One closed path through a component, for messages: a -> b -> c -> a. */
export function cyclePath(graph: Map<string, string[]>, component: string[]): string {
  const inside = new Set(component), start = component[0];
  const path: string[] = [];
  const seen = new Set<string>();
  const walk = (v: string): boolean => {
    path.push(v);
    seen.add(v);
    for (const w of graph.get(v) ?? []) {
      if (w === start) return true;
      if (inside.has(w) && !seen.has(w) && walk(w)) return true;
    }
    path.pop();
    return false;
  };
  walk(start);
  return [...path, start].join(' -> ');
}
