/**
 * The method descriptions agree with what they describe (lib/crm/describe.ts):
 * every example is a call of its own method whose arguments pass that
 * method's schema, every described key is accepted and others refused by
 * name, every implemented method is described (and the reverse), and every
 * query taking more than one value names its parameters, so that no caller
 * binds them by position.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { DESCRIPTIONS, createApi } from '../../lib/crm/api.js';
import { argsText, readArgs, type MethodDescription } from '../../lib/crm/describe.js';
import { ACTIVITY } from '../../lib/crm/history.js';
import { CALLED_AS_LIST } from '../../lib/crm/objects.js';
import { Problems } from '../../lib/crm/validate.js';
import { parseNamedQueries } from '../../lib/db/sql.js';
import { DEPARTMENTS } from '../../lib/domain/departments.js';
import { sqlDir } from '../../lib/platform/paths.js';
import { BENCH_SQL } from '../../bench/queries.js';

interface Call {
  object: string | null;
  method: string;
  args: unknown[];
}

/**
 * Run an example in a context of its own (another realm, as the shell's
 * REPL is) where every object records the call made on it.
 */
function callOf(example: string): Call {
  const calls: Call[] = [];
  // An object the shell lets you call (followUps(…)) is its list method.
  const object = (name: string) => new Proxy((CALLED_AS_LIST as readonly string[]).includes(name) ? () => undefined : {}, {
    get: (_t, method) => (...args: unknown[]) => void calls.push({ object: name, method: String(method), args }),
    apply: (_t, _this, args: unknown[]) => void calls.push({ object: name, method: 'list', args }),
  });
  const context = vm.createContext({
    ...Object.fromEntries(Object.keys(DESCRIPTIONS).map((name) => [name, object(name)])),
    activity: (...args: unknown[]) => void calls.push({ object: null, method: 'activity', args }),
    passwordPrompt: () => 'a-sample-password-long-enough',
  });
  vm.runInContext(example, context, { timeout: 1000 });
  expect(calls, `${example} makes one call`).to.have.length(1);
  return calls[0];
}

const described: Array<[string, string | null, string, MethodDescription]> = [
  ...Object.entries(DESCRIPTIONS).flatMap(([object, methods]) =>
    Object.entries(methods).map(([name, d]): [string, string | null, string, MethodDescription] => [`${object}.${name}`, object, name, d])),
  ['activity', null, 'activity', ACTIVITY],
];

function problemsOf(d: MethodDescription, args: readonly unknown[]): Problems {
  const problems = new Problems();
  readArgs(d, args, problems);
  return problems;
}

describe('method descriptions agree with the methods', () => {
  for (const [label, object, name, d] of described) {
    describe(label, () => {
      it('has help text, an example and at least one department (activity: everyone, unguarded)', () => {
        expect(d.description, 'description').to.match(/\S/);
        expect(d.example, 'example').to.match(/\S/);
        if (object) expect(d.departments.length, 'departments').to.be.greaterThan(0);
        for (const dep of d.departments) expect(DEPARTMENTS).to.include(dep);
        for (const dep of Object.keys(d.ownership ?? {})) expect(d.departments, `ownership for ${dep}`).to.include(dep);
      });

      it('its example calls it, with arguments its schema accepts', () => {
        const call = callOf(d.example);
        expect([call.object, call.method]).to.deep.equal([object, name]);
        expect(problemsOf(d, call.args).list, `${d.example} against (${argsText(d)})`).to.deep.equal([]);
      });

      for (const [i, arg] of d.args.entries()) {
        if (arg.kind !== 'fields') continue;
        it(`accepts every key it describes in ${arg.name} and refuses any other by name`, () => {
          const before = d.args.slice(0, i).map(() => 1);
          for (const key of Object.keys(arg.schema)) {
            const problems = problemsOf(d, [...before, { [key]: null }]);
            expect(problems.list.filter((p) => /not a known field/.test(p.problem)), key).to.deep.equal([]);
          }
          const refused = problemsOf(d, [...before, { notAField: 1 }]);
          expect(refused.list.map((p) => p.field)).to.include('notAField');
        });
      }

      if (d.args.length > 0 && d.args[0].kind === 'value' && !d.args[0].optional) {
        it(`refuses a call without ${d.args[0].name}, naming it`, () => {
          expect(problemsOf(d, []).list.map((p) => p.field)).to.include(d.args[0].name);
        });
      }
    });
  }

  it('describes exactly the methods each object implements', () => {
    // The guard refuses to build an object whose methods and description differ.
    const api = createApi({ db: {} as never, actor: () => { throw new Error('not called'); }, config: {} as never, monitor: {} as never });
    for (const [object, methods] of Object.entries(DESCRIPTIONS)) {
      const implemented = Object.keys((api as unknown as Record<string, object>)[object]).filter((k) => typeof (api as never)[object][k] === 'function');
      expect(implemented.sort(), object).to.deep.equal(Object.keys(methods).sort());
    }
  });
});

describe('query parameters are bound by name', () => {
  // The product's and the bench's statements. (The test suite's own fixtures,
  // spec/support/sql/testing.sql, still bind by position.)
  const files = [
    ...fs.readdirSync(sqlDir).filter((f) => f.endsWith('.sql')).map((f) => path.join(sqlDir, f)),
    BENCH_SQL,
  ];
  for (const file of files) {
    it(`${path.basename(file)}: every query with more than one parameter declares -- params:`, () => {
      const queries = parseNamedQueries(path.basename(file, '.sql'), fs.readFileSync(file, 'utf8'));
      const positional = [...queries.values()]
        .filter((q) => !q.params && /\$2\b/.test(q.text))
        .map((q) => q.name);
      expect(positional).to.deep.equal([]);
    });
  }
});
