/**
 * Executor.texts (lib/db/door.ts): rows as the server's text, arrays in
 * column order, with each column's kind; no parser runs (a bigint past 2^53
 * keeps its digits, an amount its zeros).
 */
import { expect } from 'chai';
import { ctx } from '../support/server.js';
import { testQueries } from '../support/test-queries.js';

const t = testQueries(['setTimeZone', 'textKinds'] as const);

describe('rows as text (Executor.texts)', () => {
  it('gives each cell as PostgreSQL printed it, null as null, and the kind of every column', async () => {
    const { columns, rows } = await ctx().admin.transaction(async (tx) => {
      await tx.exec(t.setTimeZone, ['UTC']);
      return tx.texts(t.textKinds);
    });
    expect(columns).to.deep.equal([
      { name: 'int', kind: 'number' }, { name: 'big', kind: 'number' }, { name: 'amount', kind: 'number' },
      { name: 'yes', kind: 'boolean' }, { name: 'no', kind: 'boolean' }, { name: 'at', kind: 'timestamp' },
      { name: 'doc', kind: 'json' }, { name: 'words', kind: 'text' }, { name: 'nothing', kind: 'text' },
    ]);
    expect(rows).to.deep.equal([[
      '7', '9007199254740993', '1.50', 't', 'f', '2026-06-04 13:00:00.123456+00', '{"a": null, "b": [1, "x"]}', 'a "quoted", text', null,
    ]]);
  });

  it('leaves the type parsers of ordinary queries alone', async () => {
    const [row] = await ctx().admin.transaction((tx) => tx.many<Record<string, unknown>>(t.textKinds));
    expect(row.yes).to.equal(true);
    expect(row.at).to.be.instanceOf(Date);
    expect(row.doc).to.deep.equal({ a: null, b: [1, 'x'] });
  });
});
