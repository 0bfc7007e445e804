import fs from 'node:fs';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { Conflict, ValidationError } from '../../lib/domain/errors.js';
import { exportList, streamPages } from '../../lib/shell/export.js';
import { csvCell, neutralised, type CsvStyle } from '../../lib/shell/csv-cells.js';
import { Page } from '../../lib/crm/page.js';
import { shellSyntax } from '../../lib/shell/tokens.js';
import { addBulk, addClient, addContract, apiAs, buildWorld, rejection } from '../support/fixtures.js';
import { ctx, resetData } from '../support/server.js';
import { SessionPools } from '../../lib/db/index.js';
import { queries } from '../../lib/db/sql.js';
import { testQueries } from '../support/test-queries.js';

const cq = queries('contracts', ['copyContractsSettings'] as const);
const t = testQueries(['sleepSeconds'] as const);
import { tempWorkingDir } from '../support/workdir.js';

describe('export(list, file)', () => {
  beforeEach(resetData);
  tempWorkingDir('epic-export-');

  it('streams every page of the list, not only the first, to a CSV file created 0600 and says how many rows', async () => {
    const w = await buildWorld();
    await addBulk(130, w.alice.id, w.kate.id);
    const api = apiAs(w.manager);
    const summary = await exportList(api.contracts.list({ limit: 7 }), 'all.csv');
    const rows = parse(fs.readFileSync('all.csv'), { columns: true }) as Array<Record<string, string>>;
    expect(rows).to.have.length(136); // the world's 6 contracts and the 130 bulk ones
    expect(summary.toJSON()).to.deep.equal({ file: 'all.csv', rows: 136, format: 'csv' });
    expect(new Set(rows.map((r) => r.id)).size).to.equal(136);
    expect(fs.statSync('all.csv').mode & 0o777).to.equal(0o600);
    expect(rows[0].totalAmount).to.equal('1000.00');
    expect(rows[0].createdAt).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('writes JSON (one array) and JSON lines with exact amounts and ISO dates, following the extension', async () => {
    const w = await buildWorld();
    const api = apiAs(w.manager);
    await exportList(api.contracts.list({ limit: 2 }), 'c.json');
    await exportList(api.contracts.list, 'c.jsonl');
    const array = JSON.parse(fs.readFileSync('c.json', 'utf8')) as Array<{ totalAmount: string; createdAt: string }>;
    const lines = fs.readFileSync('c.jsonl', 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { totalAmount: string });
    expect(array).to.have.length(6);
    expect(lines).to.have.length(6);
    expect(array.map((c) => c.totalAmount)).to.include('3000.00');
    expect(array[0].createdAt).to.match(/Z$/);
  });

  it('reads a keyset list on as text to CSV, and writes exactly what the rows as objects write (every list, sorted or not, nulls, formulas, quotes, line breaks)', async () => {
    const w = await buildWorld();
    await addBulk(23, w.alice.id, w.kate.id);
    await addClient('=cmd|"x"', 'q1@x.test', null, { companyName: 'A "quoted", name' });
    await addClient('Line\nbreak', 'q2@x.test', w.alice.id, { companyName: '-minus' });
    const api = apiAs(w.manager);
    const asObjects = <T>(p: Page<T>): Page<T> => Page.make(p.object, p.rows, p.hasMore, p.listed - p.rows.length, (_l, size) => p.next(size));
    const toCsv = async (p: Page<unknown>) => {
      let out = '';
      const rows = await streamPages(p, 'csv', async (text) => void (out += text), 4);
      return { out, rows };
    };
    const lists: Array<() => Promise<Page<unknown>>> = [
      () => api.clients.list({ limit: 3 }), () => api.clients.list({ limit: 3, sort: '-fullName' }),
      () => api.contracts.list({ limit: 3 }), () => api.contracts.list({ limit: 3, sort: 'amountDue' }),
      () => api.events.list({ limit: 3, sort: 'startAt' }), () => api.users.list({ limit: 3, sort: 'email' }),
    ];
    for (const list of lists) {
      const page = await list();
      expect(page.textsAfter, page.object).to.be.a('function');
      const text = await toCsv(page);
      const objects = await toCsv(asObjects(await list()));
      expect(text.rows).to.be.above(3);
      expect(text).to.deep.equal(objects);
    }
  });

  it('reads the rest of a list in one read-only snapshot through one cursor: contracts added while it is written are not in it, across several fetches', async () => {
    const w = await buildWorld();
    await addBulk(5100, w.alice.id, w.kate.id); // three fetches of the cursor (2,500 rows each)
    const api = apiAs(w.manager);
    let writes = 0;
    let out = '';
    const rows = await streamPages(await api.contracts.list({ limit: 3 }), 'csv', async (text) => {
      out += text;
      // The header, the first page, then the first rows read as text: two more contracts meanwhile.
      if (++writes === 3) for (let i = 0; i < 2; i++) await api.contracts.create({ clientId: w.clientA, totalAmount: '10' });
    }, 4);
    const parsed = parse(out, { columns: true }) as Array<Record<string, string>>;
    expect(rows).to.equal(5106); // the world's 6 and the 5,100 bulk ones, not the 2 added during the export
    expect(parsed).to.have.length(5106);
    const ids = parsed.map((r) => Number(r.id));
    expect(ids).to.deep.equal([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).to.equal(5106);
    expect(await api.contracts.count({})).to.equal(5108);
  });

  it('reads the rest of a whole contracts list in one COPY and writes the bytes the rows as objects write (escapes, tabs, line breaks, quotes, edge spaces, formulas, accents, NULL; every sort; for a spreadsheet too)', async () => {
    const w = await buildWorld();
    const names = ['back\\slash \\N', '\\N', 'tab\there', 'cr\rand\nlf', ' lead', 'trail ', '"quoted"; semi, comma', 'semi;colon', 'com,ma', '=1+1', '-minus', '@at', '+plus', '\tTabbed', 'Élodie Ñandú 🎉', "l'apostrophe"];
    for (const [i, name] of names.entries()) {
      const client = await addClient(name, `nasty${i}@x.test`, i % 2 ? w.alice.id : null, i % 3 ? {} : { phone: '+33 6 01 02 03 04' });
      await addContract(client, `${100 + i}.50`, i % 2 ? '0.00' : `${i}.25`, i % 2 === 1);
    }
    await addBulk(30, w.alice.id, w.kate.id);
    const api = apiAs(w.manager);
    const asObjects = <T>(p: Page<T>): Page<T> => Page.make(p.object, p.rows, p.hasMore, p.listed - p.rows.length, (_l, size) => p.next(size));
    const toCsv = async (p: Page<unknown>, style: CsvStyle) => {
      let out = '';
      const rows = await streamPages(p, 'csv', async (data) => void (out += typeof data === 'string' ? data : data.toString('utf8')), 4, style);
      return { out, rows };
    };
    for (const sort of [undefined, 'createdAt', '-amountDue', 'totalAmount', '-id']) {
      for (const style of [{ excel: false }, { excel: true }]) {
        const page = await api.contracts.list({ limit: 3, sort });
        expect(page.copyAfter, sort).to.be.a('function');
        const copied = await toCsv(page, style);
        expect(copied.rows).to.equal(6 + names.length + 30);
        expect(copied, `${sort} ${style.excel}`).to.deep.equal(await toCsv(asObjects(await api.contracts.list({ limit: 3, sort })), style));
      }
    }
    // A filtered list reads on through the cursor.
    expect((await api.contracts.list({ limit: 3, unpaid: true })).copyAfter).to.equal(undefined);
  });

  it('a write failing while the COPY is read fails the export with its own error; the connection serves the next calls', async () => {
    const w = await buildWorld();
    await addBulk(6000, w.alice.id, w.kate.id); // more than one block of 1 MB
    const api = apiAs(w.manager);
    let blocks = 0;
    const failed = await rejection(streamPages(await api.contracts.list({ limit: 3 }), 'csv', async (data) => {
      if (typeof data !== 'string' && ++blocks === 1) throw new Error('disk full');
    }, 4));
    expect(failed.message).to.equal('disk full');
    expect(blocks).to.equal(1);
    for (let i = 0; i < 5; i++) expect(await api.contracts.count({})).to.equal(6006);
    expect((await api.contracts.list({ limit: 2, sort: '-id' })).map((c) => c.id)).to.have.length(2);
  });

  it('the COPY of an export has no statement limit (it lasts as long as its rows take to be written); the calls around it keep theirs', async () => {
    const w = await buildWorld();
    const pools = new SessionPools(ctx().target.runtime, { statementTimeoutMs: 300 });
    try {
      const db = pools.forActor(w.manager);
      const slept = await db.transaction(async (tx) => {
        await tx.exec(cq.copyContractsSettings, ['1', 1]);
        return tx.one(t.sleepSeconds, [0.6]);
      }, { readOnly: true });
      expect(slept).to.deep.equal({ slept: '' });
      const err = await rejection(db.transaction((tx) => tx.one(t.sleepSeconds, [0.6])));
      expect(err.message).to.include('statement timeout');
    } finally {
      await pools.close();
    }
  });

  it('never replaces an existing file unless {overwrite: true}, and then keeps it 0600', async () => {
    const w = await buildWorld();
    fs.writeFileSync('mine.csv', 'precious', { mode: 0o644 });
    const err = await rejection(exportList(apiAs(w.alice).clients.list(), 'mine.csv'));
    expect(err).to.be.instanceOf(Conflict);
    expect(err.message).to.match(/already exists: give \{overwrite: true\}/);
    expect(fs.readFileSync('mine.csv', 'utf8')).to.equal('precious');
    await exportList(apiAs(w.alice).clients.list(), 'mine.csv', { overwrite: true });
    expect(fs.readFileSync('mine.csv', 'utf8')).to.match(/^id,fullName/);
    expect(fs.statSync('mine.csv').mode & 0o777).to.equal(0o600);
  });

  it('refuses an unknown extension and a source that is not a list, leaving no file behind', async () => {
    const w = await buildWorld();
    const api = apiAs(w.alice);
    expect(await rejection(exportList(api.clients.list(), 'out.xls'))).to.be.instanceOf(ValidationError);
    expect(await rejection(exportList(api.clients.get(w.clientA), 'one.csv'))).to.be.instanceOf(ValidationError);
    expect(fs.readdirSync('.')).to.deep.equal([]);
  });

  it('neutralises cells a spreadsheet would run as a formula (OWASP CSV injection)', async () => {
    const w = await buildWorld();
    await addClient('=HYPERLINK("http://evil.test","x")', 'f1@x.test', w.alice.id, { companyName: '@SUM(A1:A2)', phone: '+1 555' });
    await addClient('-2+3', 'f2@x.test', w.alice.id, { companyName: '\tTabbed' });
    await exportList(apiAs(w.alice).clients.list({ search: 'x.test' }), 'f.csv');
    const rows = parse(fs.readFileSync('f.csv'), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.fullName)).to.deep.equal(['\'=HYPERLINK("http://evil.test","x")', "'-2+3"]);
    expect(rows.map((r) => r.companyName)).to.deep.equal(["'@SUM(A1:A2)", "'\tTabbed"]);
    expect(rows[0].phone).to.equal("'+1 555");
    for (const text of ['=1', '+1', '-1', '@1', '\t1', '\r1']) expect(neutralised(text)).to.equal(`'${text}`);
    expect(csvCell('a "b", c')).to.equal('"a ""b"", c"');
    expect(csvCell(null)).to.equal('');
  });

  it('the shell reads export(…) — a reserved word — as exportList(…), and nothing else', () => {
    expect(shellSyntax("export(contracts.list(), 'x.csv')")).to.equal("exportList(contracts.list(), 'x.csv')");
    expect(shellSyntax("await export (clients.list, 'x.json')")).to.equal("await exportList (clients.list, 'x.json')");
    expect(shellSyntax("print('export(x)') // export(y)")).to.equal("print('export(x)') // export(y)");
    expect(shellSyntax('obj.export(1)')).to.equal('obj.export(1)');
  });
});
