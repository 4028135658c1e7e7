// Lists the functions in src/ longer than the style's cap (80 lines), longest first:
// `node scripts/long-functions.mjs [limit] [files...]`. docs/architecture.md says why each
// one that remains is long.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;
const [limitArg, ...given] = process.argv.slice(2);
const limit = Number(limitArg ?? 80);
const walk = (dir) => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : f.endsWith('.ts') && !f.endsWith('.generated.ts') ? [join(dir, f)] : []));
const files = given.length ? given : walk(join(root, 'src'));

const found = [];
for (const file of files) {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      const lines = sf.getLineAndCharacterOfPosition(node.end).line + 2 - start;
      const name = node.name?.getText() ?? (node.parent && ts.isVariableDeclaration(node.parent) ? node.parent.name.getText() : '(anonymous)');
      if (lines > limit) found.push({ where: `${relative(root, file)}:${start}`, name, lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}
found.sort((a, b) => b.lines - a.lines);
for (const f of found) console.log(`${String(f.lines).padStart(4)}  ${f.name}  ${f.where}`);
