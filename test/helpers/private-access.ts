/**
 * Finds reads of a dependency's private state in TypeScript source: a property named with a
 * leading underscore (`pool._clients`, `client._activeQuery`), the same by string index
 * (`pool['_idle']`), a type that declares such a member to cast into (`as unknown as { _clients:
 * … }`), and the undocumented insides of pg's Client (`connectionParameters`, `connection.stream`,
 * `readyForQuery`, `activeQuery`, `queryQueue`). Read with the TypeScript parser, so names in
 * strings and comments and parameters like `_runId` are not counted.
 */
import ts from 'typescript';

/** pg Client members that are not part of its documented API (https://node-postgres.com/apis/client). */
const PG_INSIDES = new Set(['connectionParameters', 'readyForQuery', 'activeQuery', 'queryQueue']);

const isPrivateName = (name: string) => /^_[A-Za-z_$]/.test(name);

/** `line:column text` of every private access in `source` (empty when there is none). */
export function privateAccesses(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const report = (node: ts.Node) => {
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    found.push(`${line + 1}:${character + 1} ${node.getText(sf).replace(/\s+/g, ' ').slice(0, 80)}`);
  };
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAccessExpression(node)) {
      const name = node.name.text;
      const stream = name === 'stream' && /\.connection$/.test(node.expression.getText(sf));
      if (isPrivateName(name) || PG_INSIDES.has(name) || stream) report(node);
    } else if (ts.isElementAccessExpression(node)) {
      const arg = node.argumentExpression;
      if (ts.isStringLiteralLike(arg) && (isPrivateName(arg.text) || PG_INSIDES.has(arg.text))) report(node);
    } else if (ts.isPropertySignature(node) && node.name && !ts.isComputedPropertyName(node.name)) {
      const name = node.name.getText(sf).replace(/^['"]|['"]$/g, '');
      if (isPrivateName(name) || PG_INSIDES.has(name)) report(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}
