import { expect } from 'chai';
import { isIncomplete, splitStatements } from '../../lib/shell/statements.js';

describe('shell statements', () => {
  it('waits for more lines after an open object literal, call or block, not after a complete or wrong line', () => {
    for (const open of ['const x = {\n', 'const x = {\n  a: 1,\n', 'clients.list({\n', 'foo(\n', 'if (a) {\n', 'const y = 1 +\n', '`abc\n']) {
      expect(isIncomplete(open), open).to.equal(true);
    }
    for (const done of ['const x = {\n  a: 1,\n}\n', 'await clients.get(1)\n', 'x = )\n', 'a b\n', "'abc\n"]) {
      expect(isIncomplete(done), done).to.equal(false);
    }
  });

  it('keeps a multi-line object literal declaration as one statement (regression: it failed as a SyntaxError at its first line)', () => {
    const statements = splitStatements("const x = {\n  a: 1,\n}\nprint(x)\nif (x.a) {\n  print('yes')\n}\n");
    expect(statements.map((s) => s.line)).to.deep.equal([1, 4, 5]);
    expect(statements[0].code).to.equal('const x = {\n  a: 1,\n}\n');
  });

  it('compiles a plain statement once for the batch to run as is, and leaves top-level await, object literals and mistakes to the REPL', () => {
    const [plain, awaiting, literal, wrong, multi] = splitStatements("clients.list()\nawait clients.get(1)\n{ a: 1 }\nx = )\nconst y = {\n  b: 2,\n}\n", 'batch.js');
    expect(plain.script, 'plain').to.not.equal(undefined);
    expect(awaiting.script, 'await').to.equal(undefined);
    expect(literal.script, 'object literal').to.equal(undefined);
    expect(wrong.script, 'syntax error').to.equal(undefined);
    expect(multi.script, 'multi-line').to.not.equal(undefined);
    expect(multi.line).to.equal(5);
  });
});
