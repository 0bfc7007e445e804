/**
 * No import cycle among the program's modules, type-only ones included: the
 * sources of lib/ (every folder), bench/ and spec/support/ are read as
 * TypeScript (the compiler's own parser, nothing is run) and every relative
 * module they name is an arrow: `import`, `import type`, `export … from`,
 * `import x = require(…)`, `import(…)` and `import('…').T` in a type. A
 * circle of arrows fails the test, naming each file of it in order.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { expect } from 'chai';
import { packageRoot } from '../../lib/platform/paths.js';

/** The files whose imports are read: lib/**, bench/ (not its subfolders) and spec/support/ (likewise). */
const READ: ReadonlyArray<{ dir: string; deep: boolean }> = [
  { dir: 'lib', deep: true },
  { dir: 'bench', deep: false },
  { dir: path.join('spec', 'support'), deep: false },
];

function tsFiles(dir: string, deep: boolean): string[] {
  const full = path.join(packageRoot, dir);
  return fs.readdirSync(full, { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return deep ? tsFiles(rel, deep) : [];
    return e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** Every module specifier a source names, static, type-only or dynamic. */
export function specifiersOf(fileName: string, text: string): string[] {
  const found: string[] = [];
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const literal = (n: ts.Node | undefined) => {
    if (n && ts.isStringLiteralLike(n)) found.push(n.text);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) literal(n.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference)) literal(n.moduleReference.expression);
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) literal(n.arguments[0]);
    else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument)) literal(n.argument.literal);
    ts.forEachChild(n, visit);
  };
  visit(source);
  return found;
}

/** The file a relative specifier names ('./x.js' → x.ts), or null (a package, or a file outside those read). */
function resolve(from: string, specifier: string, known: ReadonlySet<string>): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = path.normalize(path.join(path.dirname(from), specifier));
  for (const candidate of [target.replace(/\.js$/, '.ts'), `${target}.ts`, path.join(target, 'index.ts')]) {
    if (known.has(candidate)) return candidate;
  }
  return null;
}

/** The import graph: file → the files it names. */
export function importGraph(files: readonly string[], read: (file: string) => string): Map<string, string[]> {
  const known = new Set(files);
  return new Map(files.map((f) => [f, [...new Set(specifiersOf(f, read(f)).map((s) => resolve(f, s, known)).filter((t): t is string => t !== null))]]));
}

/** A tangle of files that import each other: all its files (by name), and one circle through them, in import order. */
export interface Tangle {
  readonly files: readonly string[];
  readonly circle: readonly string[];
}

/**
 * The tangles of a graph: each strongly connected component of more than one
 * file (or a file naming itself), with one circle through it starting at its
 * first file by name (Tarjan's algorithm).
 */
export function tangles(graph: ReadonlyMap<string, readonly string[]>): Tangle[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  return components.map((c) => ({ files: [...c].sort(), circle: circleThrough(graph, new Set(c)) }));
}

/** One closed path through the files of a component, back to its first (a walk by breadth, inside the component). */
function circleThrough(graph: ReadonlyMap<string, readonly string[]>, component: ReadonlySet<string>): string[] {
  const start = [...component].sort()[0];
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0])!);
        return [...path, start];
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...component, start];
}

describe('structure: imports (spec/platform/structure.spec.ts)', () => {
  it('reads every kind of import, type-only and re-exports included', () => {
    const text = [
      "import a from './a.js';", "import type { B } from './b.js';", "import { type C } from './c.js';",
      "export { d } from './d.js';", "export type { E } from './e.js';", "export * from './f.js';",
      "const g = await import('./g.js');", "let h: import('./h.js').H;", "import i = require('./i.js');", "import 'pkg';",
    ].join('\n');
    expect(specifiersOf('x.ts', text)).to.deep.equal(['./a.js', './b.js', './c.js', './d.js', './e.js', './f.js', './g.js', './h.js', './i.js', 'pkg']);
  });

  it('finds a circle, type-only arrows included, and names its files in order', () => {
    const sources: Record<string, string> = {
      'lib/a.ts': "import { b } from './b.js';",
      'lib/b.ts': "import type { C } from './c/index.js';",
      'lib/c/index.ts': "export { a } from '../a.js';",
      'lib/d.ts': "import { a } from './a.js';",
    };
    const graph = importGraph(Object.keys(sources), (f) => sources[f]);
    expect(tangles(graph)).to.deep.equal([{ files: ['lib/a.ts', 'lib/b.ts', 'lib/c/index.ts'], circle: ['lib/a.ts', 'lib/b.ts', 'lib/c/index.ts', 'lib/a.ts'] }]);
    sources['lib/c/index.ts'] = '';
    expect(tangles(importGraph(Object.keys(sources), (f) => sources[f]))).to.deep.equal([]);
  });

  it('has no import cycle in lib/, bench/ or spec/support/', () => {
    const files = READ.flatMap(({ dir, deep }) => tsFiles(dir, deep)).sort();
    expect(files.length).to.be.greaterThan(100);
    const graph = importGraph(files, (f) => fs.readFileSync(path.join(packageRoot, f), 'utf8'));
    const found = tangles(graph).map((t) => `${t.files.length} files (${t.files.join(', ')}), e.g. ${t.circle.join(' → ')}`);
    expect(found, `import cycles:\n${found.join('\n')}`).to.deep.equal([]);
  });
});
