import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
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

  it("keeps V8's young generation near Node.js 20's 32 MB while a batch allocates (Node.js 24 grows it to 128 MB, Node.js 26 to 64)", function () {
    this.timeout(60_000);
    // A process of its own: the cap is process-wide. Objects that survive a few scavenges each, as a long batch makes.
    const child = `
      import v8 from 'node:v8';
      const { capYoungGeneration } = await import(${JSON.stringify(new URL('../../lib/shell/statements.js', import.meta.url).href)});
      const young = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
      const keep = [];
      let most = 0;
      for (let i = 0; i < 3e6; i++) {
        keep.push({ i, text: 'statement ' + i });
        if (keep.length > 200000) keep.splice(0, 100000);
        if (i % 1000 === 0) { capYoungGeneration(); most = Math.max(most, young()); }
      }
      process.stdout.write(String(most));`;
    const most = Number(execFileSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8' }));
    expect(most / 2 ** 20, 'young generation (MB)').to.be.within(1, 40);
  });
});
