import { expect } from 'chai';
import vm from 'node:vm';
import { readShaped, shapeOf, ShapedStatement } from '../../lib/shell/shapes.js';
import { splitStatements } from '../../lib/shell/statements.js';

describe('statement shapes (a batch compiles each shape once)', () => {
  it('takes string and number literals out, and leaves keys, members and what V8 would print as written', () => {
    const create = shapeOf('clients.create({"fullName": "Ann \\"A\\" \\u00e9", email: \'ann@x.io\', phone: "+33 6 12"});\n');
    expect(create?.values).to.deep.equal(['Ann "A" é', 'ann@x.io', '+33 6 12']);
    expect(create?.key).to.match(/^clients\.create\(\{"fullName": L\$epicLiterals\[0\], email: L\$epicLiterals\[1\], phone: L\$epicLiterals\[2\]\}\);\n$/);
    expect(shapeOf('clients.get(12)\n')?.values).to.deep.equal([12]);
    expect(shapeOf('x = -1.5e3 * 2\n')?.values).to.deep.equal([1.5e3, 2]);
    // Kept as written: a literal with a member or call after it, a single-quoted string with an escape.
    expect(shapeOf('"abc".length\n')).to.deep.equal({ key: '"abc".length\n', values: [] });
    expect(shapeOf("f('it\\'s')\n")).to.deep.equal({ key: "f('it\\'s')\n", values: [] });
    // A shape of its own for what reads differently, or not one line's single expression.
    for (const none of ['a(1); b(2)\n', 'f(0x10)\n', 'f(1n)\n', 'f(08)\n', 'f(1_000)\n', 'f(.5)\n', 'f(1) // note\n', 'f(/* x */ 1)\n', 'f(`t`)\n',
      'await f(1)\n', '{ a: 1 }\n', 'f(\n', 'f(1))\n', 'é(1)\n', 'f("a\nb")\n', 'f(L$epicLiterals)\n', 'x <!-- y\n']) {
      expect(shapeOf(none), none).to.equal(undefined);
    }
  });

  it('runs a statement by its shape to the value it has compiled whole', () => {
    const statements = [
      'f({"fullName": "Ann \\"A\\" \\u00e9\\n", n: 1.25, big: 1e400, zero: -0, list: [1, "two", -3]})\n',
      'f("\\/\\b\\f\\r\\t" + \'single\' + 2 * 3 - 4 / 8)\n',
      'x = f(0.1 + 0.2, "tab\there")\n',
      'f(-0)\n',
    ];
    const context = vm.createContext({ f: (...args: unknown[]) => args, x: undefined });
    for (const code of statements) {
      const shaped = readShaped(code, 'batch.js', 1);
      expect(shaped, code).to.be.instanceOf(ShapedStatement);
      const byShape = (shaped as ShapedStatement).run(context);
      const whole = new vm.Script(code).runInContext(context);
      expect(byShape, code).to.deep.equal(whole);
    }
    expect(Object.is(((readShaped('f(-0)\n', 'batch.js', 1) as ShapedStatement).run(context) as unknown[])[0], -0)).to.equal(true);
  });

  it('compiles a shape once for all its statements, and only where it compiles as the statement does', () => {
    const first = readShaped('clients.get(1)\n', 'batch.js', 1);
    const second = readShaped('clients.get(2)\n', 'batch.js', 2);
    expect((first as ShapedStatement).shape).to.equal((second as ShapedStatement).shape);
    // `L[0] = 1` compiles, `"a" = 1` does not: no shape, and the batch reports the statement's own error.
    expect(readShaped('"a" = 1\n', 'batch.js', 1)).to.equal(undefined);
    expect(splitStatements('"a" = 1\n')[0].script).to.equal(undefined);
    // Incomplete as the statement is: the next line is read into it.
    expect(readShaped('x = 1 +\n', 'batch.js', 1)).to.equal('incomplete');
    const joined = splitStatements('x = 1 +\n2\nclients.get(3)\n');
    expect(joined.map((s) => [s.code, s.line])).to.deep.equal([['x = 1 +\n2\n', 1], ['clients.get(3)\n', 3]]);
    expect(joined[1].script).to.be.instanceOf(ShapedStatement);
  });

  it('compiles the statement whole where its shape cannot serve (guarded runs, declarations), at its file and line', () => {
    const shaped = readShaped('clients.get(7)\n', 'batch.js', 12) as ShapedStatement;
    const script = shaped.script();
    expect(script).to.be.instanceOf(vm.Script);
    const context = vm.createContext({ clients: { get: () => { throw new Error('here'); } } });
    try {
      script.runInContext(context);
      expect.fail('it should throw');
    } catch (err) {
      expect((err as Error).stack).to.include('batch.js:12');
    }
  });
});
