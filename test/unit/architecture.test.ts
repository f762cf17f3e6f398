/**
 * The shape of src/, checked on every test run: no production file over 400 lines, no import
 * cycle, no `process.env` outside the config loader, and no production command that loads the
 * demo or the simulator. Imports are read with the TypeScript compiler's own parser (already a
 * dev dependency), static and dynamic ones alike, so what it sees is what tsc and Node load.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { privateAccesses } from '../helpers/private-access.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');
const MAX_LINES = 400;
/** The longest function body a reader takes in at once; longer ones are split into named steps. */
const MAX_FUNCTION_LINES = 80;

/** Commands allowed to load the demo and the simulator: they exist to run them. */
const DEMO_COMMANDS = new Set(['src/commands/demo.ts', 'src/commands/simulate.ts']);

/** The command modules: what the dispatcher loads with import() (its table of commands). */
const commandModules = () =>
  graph
    .get('src/cli.ts')!
    .filter((e) => e.dynamic)
    .map((e) => e.to);

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** Production sources: no tests, no test helpers. */
const files = walk(SRC)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.test-helper.ts'))
  .map((f) => relative(ROOT, f).split('\\').join('/'))
  .sort();

const text = new Map(files.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));

/** Every source a contributor reads: src/, test/, bench/ and scripts/, tests included. */
const allSources = ['src', 'test', 'bench', 'scripts']
  .flatMap((d) => walk(join(ROOT, d)))
  .filter((f) => /\.(ts|mjs|js)$/.test(f))
  .map((f) => relative(ROOT, f).split('\\').join('/'))
  .sort();

/**
 * References to documents a reader of this repository cannot open: a tracker's numbered issues
 * (the word followed by a number, or a number with a hash before the word) and a design note's
 * numbered invariants. A comment says what the thing guarantees, or names a page of docs/.
 */
const OUTSIDE_REFERENCE = /\b(?:issues?|invariants?)\s*(?:no\.?\s*)?#?\d+|#\d+\s+issue\b|\bDESIGN\.md\b/gi;

/** `file:line: match` for each outside reference in `source`. */
function outsideReferences(file: string, source: string): string[] {
  return source
    .split('\n')
    .flatMap((line, i) => [...line.matchAll(OUTSIDE_REFERENCE)].map((m) => `${file}:${i + 1}: ${m[0]}`));
}

/** The name a reader finds a function by: its own, or the variable, property or class member it is bound to. */
function functionName(node: ts.Node): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name && ts.isIdentifier(named.name)) return named.name.text;
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (
    parent &&
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
  ) {
    if (ts.isIdentifier(parent.name)) return parent.name.text;
  }
  return '(anonymous)';
}

/** `file name lines` for every function in `source` longer than `max` lines. */
function longFunctions(file: string, source: string, max: number): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > max) out.push(`${file} ${functionName(node)} ${lines}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

interface Edge {
  to: string;
  /** `import type` / `export type`: erased by the compiler (verbatimModuleSyntax), never loaded. */
  typeOnly: boolean;
  /** `import()`: loaded when the code gets there. */
  dynamic: boolean;
}

/** The src/ modules `file` imports (statically, by re-export, or with `import()`). */
function importsOf(file: string): Edge[] {
  const sf = ts.createSourceFile(file, text.get(file)!, ts.ScriptTarget.Latest, true);
  const edges: Edge[] = [];
  const add = (spec: ts.Expression | undefined, typeOnly: boolean, dynamic = false) => {
    if (!spec || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) return;
    const target = relative(ROOT, resolve(ROOT, dirname(file), spec.text.replace(/\.js$/, '.ts')))
      .split('\\')
      .join('/');
    if (text.has(target)) edges.push({ to: target, typeOnly, dynamic });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      add(node.moduleSpecifier, node.importClause?.isTypeOnly === true);
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

const graph = new Map(files.map((f) => [f, importsOf(f)]));

/** Every cycle of the graph (one per strongly connected component of two or more modules). */
function cycles(edgesOf: (f: string) => string[]): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edgesOf(v)) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || edgesOf(v).includes(v)) out.push(component.sort());
    }
  };
  for (const f of files) if (!idx.has(f)) strong(f);
  return out;
}

/** Every module `start` loads, following runtime imports (static and dynamic). */
function reachable(start: string): Set<string> {
  const seen = new Set<string>([start]);
  const todo = [start];
  while (todo.length > 0) {
    for (const e of graph.get(todo.pop()!) ?? []) {
      if (!e.typeOnly && !seen.has(e.to)) {
        seen.add(e.to);
        todo.push(e.to);
      }
    }
  }
  return seen;
}

describe('architecture of src/', () => {
  it('reads the production sources and their imports', () => {
    expect(files).toContain('src/cli.ts');
    expect(graph.get('src/cli.ts')!.map((e) => e.to)).toContain('src/commands/sync.ts');
  });

  it(`has no production file over ${MAX_LINES} lines`, () => {
    const over = files.filter((f) => text.get(f)!.split('\n').length - 1 > MAX_LINES);
    expect(over).toEqual([]);
  });

  it(`has no production function over ${MAX_FUNCTION_LINES} lines`, () => {
    const planted = ['function big() {', ...Array.from({ length: 80 }, (_, i) => `  f(${i});`), '}'].join(
      '\n',
    );
    expect(longFunctions('x.ts', planted, MAX_FUNCTION_LINES)).toEqual(['x.ts big 82']);
    expect(longFunctions('x.ts', 'class C { m = () => {\n};\n}', 1)).toEqual(['x.ts m 2']);
    expect(files.flatMap((f) => longFunctions(f, text.get(f)!, MAX_FUNCTION_LINES))).toEqual([]);
  });

  it('has no import cycle among the modules Node loads (static and dynamic imports)', () => {
    expect(cycles((f) => graph.get(f)!.flatMap((e) => (e.typeOnly ? [] : [e.to])))).toEqual([]);
  });

  it('has no import cycle through type-only imports either', () => {
    expect(cycles((f) => graph.get(f)!.map((e) => e.to))).toEqual([]);
  });

  it('reads process.env only in src/config/', () => {
    const readers = files.filter(
      (f) => !f.startsWith('src/config/') && /\bprocess\.env\b/.test(text.get(f)!),
    );
    expect(readers).toEqual([]);
  });

  it('loads the demo and the simulator only from the demo and simulate commands', () => {
    const commands = commandModules().filter((f) => !DEMO_COMMANDS.has(f));
    expect(commands).toEqual(expect.arrayContaining(['src/commands/status.ts', 'src/commands/sync.ts']));
    const offending = commands.flatMap((c) =>
      [...reachable(c)]
        .filter((m) => /^src\/demo[^/]*\.ts$/.test(m) || m.startsWith('src/simulator/'))
        .map((m) => `${c} -> ${m}`),
    );
    expect(offending).toEqual([]);
  });

  it('finds a planted reference to an outside document, and none in the sources', () => {
    // Built from pieces so this file does not plant one itself.
    const planted = [
      '// fixed in iss',
      'ue 14',
      '\n/* keeps inv',
      'ariant 7 */',
      '\n// see #3 iss',
      'ue',
    ].join('');
    expect(outsideReferences('x.ts', planted)).toEqual([
      `x.ts:1: ${'iss'}ue 14`,
      `x.ts:2: ${'inv'}ariant 7`,
      `x.ts:3: #3 ${'iss'}ue`,
    ]);
    expect(outsideReferences('x.ts', '// two issues remain; retry 3 times')).toEqual([]);
    expect(allSources).toEqual(expect.arrayContaining(['src/cli.ts', 'test/unit/architecture.test.ts']));
    const found = allSources.flatMap((f) => outsideReferences(f, readFileSync(join(ROOT, f), 'utf8')));
    expect(found).toEqual([]);
  });

  it('the dispatcher loads every command lazily', () => {
    expect(commandModules().length).toBeGreaterThanOrEqual(6);
    // A static import of a command module would load it (and its dependencies) for every command.
    const eager = graph
      .get('src/cli.ts')!
      .filter((e) => !e.dynamic && !e.typeOnly)
      .map((e) => e.to);
    expect(eager.filter((f) => commandModules().includes(f))).toEqual([]);
  });
});

describe('no reads of a dependency’s private state (src/ and test/)', () => {
  const sources = [...walk(SRC), ...walk(join(ROOT, 'test'))]
    .filter((f) => f.endsWith('.ts'))
    .map((f) => relative(ROOT, f).split('\\').join('/'))
    .sort();

  it('catches what the test helpers once did to guess that pg was idle, and pool.ts to close a socket', () => {
    const old = [
      'const clients = (pool as unknown as { _clients: PgClientState[] })._clients;',
      'clients.some((c) => c._connecting || c._activeQuery || c._queryQueue.length > 0);',
      "const idle = pool['_idle'].length + client['_pending'];",
      'interface PgClientState { _connecting: boolean; }',
      'self.connection?.stream?.destroy(); const p = self.connectionParameters ?? {};',
    ].join('\n');
    expect(privateAccesses('old.ts', old)).toEqual([
      '1:17 (pool as unknown as { _clients: PgClientState[] })._clients',
      '1:39 _clients: PgClientState[]',
      '2:21 c._connecting',
      '2:38 c._activeQuery',
      '2:56 c._queryQueue',
      "3:14 pool['_idle']",
      "3:37 client['_pending']",
      '4:27 _connecting: boolean;',
      '5:1 self.connection?.stream',
      '5:47 self.connectionParameters',
    ]);
    // Parameters, strings, comments and ordinary members are not private accesses.
    const fine =
      "function f(_runId: string) { const s = 'pool._clients'; /* c._x */ return s.length + _runId.length; }";
    expect(privateAccesses('fine.ts', fine)).toEqual([]);
  });

  it('finds none in src/ or test/', () => {
    expect(sources.length).toBeGreaterThan(200);
    const found = sources.flatMap((f) =>
      privateAccesses(f, readFileSync(join(ROOT, f), 'utf8')).map((a) => `${f}:${a}`),
    );
    expect(found).toEqual([]);
  });
});
