/**
 * The spreadsheet round trip: export to .csv, Excel-ready .csv and .xlsx,
 * and clients.import of each back (our own headings recognised, the columns
 * it cannot write left out, the formula guard removed); files as people have
 * them; errors a person can read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { ValidationError } from '../../lib/domain/errors.js';
import { exportList } from '../../lib/shell/export.js';
import { headingOf } from '../../lib/shell/export-sheet.js';
import { localeRegion, setPhoneRegion } from '../../lib/crm/phone.js';
import { addClient, apiAs, buildWorld, rejection, type World } from '../support/fixtures.js';
import { fingerprint, resetData } from '../support/server.js';
import { tempWorkingDir } from '../support/workdir.js';

const problems = (err: Error): string[] => (err as ValidationError).problems.map((p) => p.problem);
type Client = { fullName: string; email: string; phone: string | null; companyName: string | null };
const fieldsOf = (rows: readonly Client[]) => rows.map(({ fullName, email, phone, companyName }) => ({ fullName, email, phone, companyName })).sort((a, b) => a.email.localeCompare(b.email));

describe('spreadsheets: export and import back', function () {
  this.timeout(120_000);
  let w: World;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
  });
  const work = tempWorkingDir('epic-sheet-');
  const file = (name: string, content: string | Buffer): string => {
    fs.writeFileSync(path.join(work.path, name), content);
    return name;
  };
  const refused = async (call: () => Promise<unknown>): Promise<Error> => {
    const before = await fingerprint();
    const err = await rejection(call());
    expect(await fingerprint()).to.deep.equal(before);
    return err;
  };
  const tricky = async () => {
    await addClient('=HYPERLINK("http://evil.test","x")', 'formula@x.test', w.alice.id, { phone: '+33 6 01 02 03 04', companyName: 'Dupont; Fils' });
    await addClient('Élodie Martin', 'elodie@x.test', w.alice.id, { phone: '06 12 34 56 78', companyName: '@Home "quoted"' });
    await addClient('-Minus, Sign', 'minus@x.test', w.alice.id);
  };

  for (const [name, options] of [['round.csv', undefined], ['round-excel.csv', { excel: true }], ['round.xlsx', undefined]] as const) {
    it(`exports clients to ${name}${options ? ' (excel)' : ''} and imports the file back as it is: the same rows`, async () => {
      await tricky();
      const api = apiAs(w.alice);
      const before = fieldsOf((await api.clients.list({ limit: 500 })).rows as Client[]);
      await exportList(api.clients.list, name, options);
      // The same file into an empty CRM: every row is created again, as it was.
      await resetData();
      w = await buildWorld();
      const again = apiAs(w.alice);
      const dry = await again.clients.import(name, { dryRun: true, onDuplicate: 'skip' });
      expect(dry).to.include({ created: before.length - 2, skipped: 2, dryRun: true }); // the world's own two are there already
      await again.clients.import(name, { onDuplicate: 'skip' });
      expect(fieldsOf((await again.clients.list({ limit: 500 })).rows as Client[])).to.deep.equal(before);
    });
  }

  it('with onDuplicate update, the id column of our export says which client: a changed email follows it; someone else\'s client stays refused', async () => {
    const api = apiAs(w.alice);
    await exportList(api.clients.list({ search: 'a@client.test' }), 'mine.csv');
    const text = fs.readFileSync('mine.csv', 'utf8').replace('a@client.test', 'renamed@client.test').replace('Client of Alice', 'Alice Client');
    fs.writeFileSync('mine.csv', text);
    expect(await api.clients.import('mine.csv', { onDuplicate: 'update' })).to.include({ created: 0, updated: 1 });
    expect(await api.clients.get(w.clientA)).to.include({ email: 'renamed@client.test', fullName: 'Alice Client' });
    const theirs = file('theirs.csv', `ID,Full name,Email\n${w.clientB},Mine Now,new@client.test\n999999,Nobody,nobody@client.test\n`);
    expect(problems(await refused(() => api.clients.import(theirs, { onDuplicate: 'update' })))).to.deep.equal([
      `theirs.csv:2: id: client ${w.clientB} belongs to bob@epic.events: onDuplicate 'update' changes only your own clients`,
      'theirs.csv:3: id: no client has id 999999',
      'nothing was imported from theirs.csv (2 bad lines; all or nothing)',
    ]);
    // Without update the id column is left out: the rows are new clients.
    expect(await api.clients.import(theirs, { dryRun: true })).to.include({ created: 2 });
  });

  it('writes a CSV for a spreadsheet with {excel: true}: BOM, semicolons, headings in words, local times', async () => {
    await tricky();
    await exportList(apiAs(w.alice).clients.list({ search: 'x.test' }), 'excel.csv', { excel: true });
    const text = fs.readFileSync('excel.csv', 'utf8');
    expect(text.charCodeAt(0)).to.equal(0xfeff);
    const [header, first] = text.slice(1).split('\r\n');
    expect(header).to.equal('ID;Full name;Email;Phone;Company name;Sales contact ID;Sales contact name;Created at;Updated at');
    expect(first).to.match(/;\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2};\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(headingOf('salesContactId')).to.equal('Sales contact ID');
    expect(fs.readFileSync((await exportList(apiAs(w.alice).clients.list(), 'plain.csv')).file, 'utf8')).to.match(/^id,fullName,/);
  });

  it('writes a real workbook: headings in words, amounts as numbers with two decimals, times as dates, text as text', async () => {
    await addClient('=1+1', 'f@x.test', w.alice.id);
    await exportList(apiAs(w.manager).contracts.list, 'contracts.xlsx');
    await exportList(apiAs(w.alice).clients.list({ search: 'f@x.test' }), 'clients.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile('contracts.xlsx');
    const sheet = book.worksheets[0];
    const headings = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(headings).to.include('Total amount').and.include('Amount due');
    const total = headings.indexOf('Total amount') + 1;
    expect(sheet.rowCount).to.equal(7);
    expect(sheet.getRow(2).getCell(total).value).to.be.a('number');
    expect(sheet.getRow(2).getCell(total).numFmt).to.equal('#,##0.00');
    expect(sheet.getRow(2).getCell(headings.indexOf('Created at') + 1).value).to.be.instanceOf(Date);
    expect(fs.statSync('contracts.xlsx').mode & 0o777).to.equal(0o600);
    const clients = new ExcelJS.Workbook();
    await clients.xlsx.readFile('clients.xlsx');
    const cell = clients.worksheets[0].getRow(2).getCell(2);
    expect(cell.value).to.equal('=1+1'); // a text cell, never a formula, and no guard
    expect(cell.type).to.equal(ExcelJS.ValueType.String);
  });

  it('a workbook of many pages (the pages after the first read as text, written by the worker) holds what one page gives, cell for cell', async () => {
    const api = apiAs(w.manager);
    const one = await api.contracts.list({ limit: 500 });
    expect(one.hasMore).to.equal(false);
    await exportList(one, 'whole.xlsx');
    const paged = await api.contracts.list({ limit: 2 });
    expect(paged.textsAfter).to.be.a('function');
    await exportList(paged, 'paged.xlsx');
    const cells = async (name: string) => {
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(name);
      const out: unknown[][] = [];
      book.worksheets[0].eachRow((row) => out.push((row.values as unknown[]).slice(1).map((v) => (v instanceof Date ? `date ${v.toISOString()}` : v))));
      return out;
    };
    const whole = await cells('whole.xlsx');
    expect(whole).to.have.length(7);
    expect(whole[1].some((v) => typeof v === 'string' && v.startsWith('date '))).to.equal(true);
    expect(await cells('paged.xlsx')).to.deep.equal(whole);
  });

  it('imports a workbook with every rule of the CSV import, errors on the row numbers', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Clients');
    sheet.addRow(['Prénom', 'Nom', 'E-mail', 'Portable', 'Société']);
    sheet.addRow(['Ann', 'Lee', 'ann@x.test', '06 01 02 03 04', 'Lee & Co']);
    sheet.addRow(['Bea', 'Bad', 'not-an-email']);
    await book.xlsx.writeFile(path.join(work.path, 'in.xlsx'));
    expect(problems(await refused(() => apiAs(w.alice).clients.import('in.xlsx')))).to.deep.equal([
      'in.xlsx:3: email: "not-an-email" must be an email address such as name@example.com',
      'nothing was imported from in.xlsx (1 bad line; all or nothing)',
    ]);
    sheet.getRow(3).getCell(3).value = { text: 'bea@x.test', hyperlink: 'mailto:bea@x.test' };
    sheet.getRow(3).commit();
    await book.xlsx.writeFile(path.join(work.path, 'in.xlsx'));
    expect(await apiAs(w.alice).clients.import('in.xlsx')).to.include({ created: 2 });
    expect((await apiAs(w.alice).clients.list({ search: 'ann@x.test' })).rows[0]).to.include({ fullName: 'Ann Lee', companyName: 'Lee & Co' });
    expect((await refused(() => apiAs(w.alice).clients.import(file('fake.xlsx', 'Full name,Email\n')))).message).to.match(/^file fake\.xlsx cannot be read as an \.xlsx workbook/);
  });

  it('reads files as people have them: trailing empty columns, rows of separators, Prénom + Nom, Portable, Tél.', async () => {
    const fr = file('fr.csv', '\uFEFFPrénom;Nom;Société;Portable;Courriel;;\r\nÉlodie;Martin;ACME;06 01 02 03 04;elodie@fr.test;;\r\n;;;;;;\r\nJean;Dupont;;;jean@fr.test;;\r\n');
    expect(await apiAs(w.alice).clients.import(fr)).to.include({ created: 2 });
    expect((await apiAs(w.alice).clients.list({ search: 'elodie@fr' })).rows[0]).to.include({ fullName: 'Élodie Martin', phone: '06 01 02 03 04', companyName: 'ACME' });
    const en = file('en.csv', 'First name,Last name,Email,Tél.\nAnn,Smith,ann@en.test,+44 20 7946 0958\n');
    expect(await apiAs(w.alice).clients.import(en)).to.include({ created: 1 });
    expect((await apiAs(w.alice).clients.list({ search: 'ann@en' })).rows[0]).to.include({ fullName: 'Ann Smith', phone: '+44 20 7946 0958' });
    const nom = file('nom.csv', 'Nom,Email\nJust One Name,one@x.test\n');
    expect(await apiAs(w.alice).clients.import(nom)).to.include({ created: 1 });
    const half = file('half.csv', 'Prénom,Email\nAnn,half@x.test\n');
    expect(problems(await refused(() => apiAs(w.alice).clients.import(half)))[0]).to.match(/^half\.csv:1: column "Prénom" gives only part of the name/);
    const stray = file('stray.csv', 'Full name,Email,\nAnn,stray@x.test,oops\n');
    expect(problems(await refused(() => apiAs(w.alice).clients.import(stray)))[0]).to.equal('stray.csv:2: column 3 has no heading but holds "oops"');
  });

  it('names each bad line once, in line order, with the refused value escaped and cut at 40 characters; the whole message bounded', async () => {
    const lines = ['Full name,Email'];
    lines.push('Taken Again,a@client.test'); // line 2: a duplicate, found when its batch is checked
    lines.push(`Bad,${'x'.repeat(60)}`); // line 3
    lines.push('"Evil\u001b[2J",evil@x.test'); // line 4
    for (let i = 0; i < 300; i++) lines.push(`N ${i},bad-${i}`);
    const err = await refused(() => apiAs(w.alice).clients.import(file('order.csv', lines.join('\n'))));
    const list = problems(err);
    expect(list[0]).to.match(/^order\.csv:2: email: client \d+ already has a@client\.test/);
    expect(list[1]).to.equal(`order.csv:3: email: "${'x'.repeat(40)}…" must be an email address such as name@example.com`);
    expect(list[2]).to.equal('order.csv:4: fullName: "Evil\\u001b[2J" must be one line without control or bidirectional-override characters');
    expect(list[3]).to.match(/^order\.csv:5: /);
    expect(list).to.have.length(102);
    expect(list[100]).to.equal('… and 203 more bad lines');
    expect(list[101]).to.equal('nothing was imported from order.csv (303 bad lines; all or nothing)');
    expect(err.message.split('\n')).to.have.length.at.most(102);
    expect(err.message.length).to.be.at.most(4200);
  });

  describe('phone numbers', () => {
    afterEach(() => setPhoneRegion(undefined));

    it('find() matches a number in its national and international forms, as typed or imported', async () => {
      const api = apiAs(w.alice);
      const intl = await api.clients.create({ fullName: 'Intl Form', email: 'intl@x.test', phone: '+33 6 01 02 03 04' });
      const national = await api.clients.create({ fullName: 'National Form', email: 'nat@x.test', phone: '06 12 34 56 78' });
      await api.clients.import(file('p.csv', 'Full name;Email;Portable\nImported Form;imp@x.test;0033 7 11 22 33 44\n'));
      const ids = async (text: string) => (await api.find(text)).clients.map((c) => c.id);
      expect(await ids('06 01 02 03 04')).to.deep.equal([intl.id]);
      expect(await ids('0601020304')).to.deep.equal([intl.id]);
      expect(await ids('+33 6 12 34 56 78')).to.deep.equal([national.id]);
      expect((await api.find('07 11 22 33 44')).clients.map((c) => c.fullName)).to.deep.equal(['Imported Form']);
      expect(await ids('+33612345678')).to.deep.equal([national.id]);
      // Kept as typed.
      expect((await api.clients.get(intl.id)).phone).to.equal('+33 6 01 02 03 04');
      // Written by raw SQL (no E.164 given): PostgreSQL reads it (migration 023), international and French forms.
      const raw = await addClient('Raw Form', 'raw@x.test', w.alice.id, { phone: '06.99.88.77.66' });
      expect(await ids('+33 6 99 88 77 66')).to.deep.equal([raw]);
      await api.clients.update(national.id, { phone: '+44 20 7946 0958' });
      expect(await ids('020 7946 0958')).to.deep.equal([]);
      setPhoneRegion('GB');
      expect(await ids('020 7946 0958')).to.deep.equal([national.id]);
    });

    it('an import finds the same person by phone number in another form, in the file and in the database; nothing written when refused', async () => {
      const api = apiAs(w.alice);
      const known = await addClient('Jean Dupont', 'jean@x.test', w.alice.id, { phone: '+33 6 01 02 03 04' });
      const dup = file('dup.csv', 'Full name;Email;Phone\nJean D.;jean.dupont@y.test;06 01 02 03 04\nAnn New;ann@y.test;+33 6 55 44 33 22\nAnn Again;ann.b@y.test;06.55.44.33.22\nNo Phone;nophone@y.test;\n');
      expect(problems(await refused(() => api.clients.import(dup)))).to.deep.equal([
        `dup.csv:2: phone: client ${known} (jean@x.test) already has 06 01 02 03 04 (+33601020304) (onDuplicate: 'skip' leaves it, 'update' updates your own)`,
        'dup.csv:4: phone: 06.55.44.33.22 (+33655443322) is already on line 3',
        'nothing was imported from dup.csv (2 bad lines; all or nothing)',
      ]);
      expect(await api.clients.import(dup, { onDuplicate: 'skip' })).to.include({ created: 2, skipped: 2 });
      expect((await api.find('0655443322')).clients.map((c) => c.fullName)).to.deep.equal(['Ann New']);
      // 'update': the own client the number names takes the row (its email stays); someone else's is refused.
      const upd = file('upd.csv', 'Full name;Email;Phone;Company\nJean Dupont-Martin;jean.pro@y.test;0601020304;Dupont SA\n');
      expect(await api.clients.import(upd, { onDuplicate: 'update' })).to.include({ created: 0, updated: 1 });
      expect(await api.clients.get(known)).to.include({ fullName: 'Jean Dupont-Martin', email: 'jean@x.test', phone: '0601020304', companyName: 'Dupont SA' });
      const bobs = await addClient('Bob Own', 'bobs@x.test', w.bob.id, { phone: '07 11 22 33 44' });
      const theirs = file('theirs.csv', 'Full name;Email;Mobile\nMine Now;other@y.test;+33 7 11 22 33 44\n');
      expect(problems(await refused(() => api.clients.import(theirs, { onDuplicate: 'update' })))[0]).to.equal(
        `theirs.csv:2: phone: client ${bobs} (bobs@x.test) belongs to bob@epic.events: onDuplicate 'update' changes only your own clients`,
      );
      // In a workbook too.
      const book = new ExcelJS.Workbook();
      book.addWorksheet('Clients').addRows([['Full name', 'Email', 'Phone'], ['Bob Again', 'bob.again@y.test', '0033711223344']]);
      await book.xlsx.writeFile(path.join(work.path, 'dup.xlsx'));
      expect(problems(await refused(() => api.clients.import('dup.xlsx')))[0]).to.match(new RegExp(`^dup\\.xlsx:2: phone: client ${bobs} \\(bobs@x\\.test\\) already has 0033711223344 \\(\\+33711223344\\)`));
    });

    it('refuses a number that cannot be a phone of any region, with an example, and changes nothing', async () => {
      const err = await refused(() => apiAs(w.alice).clients.create({ fullName: 'No Country', email: 'nc@x.test', phone: '+999 123 4567' }));
      expect(err.message).to.equal('phone must be a phone number such as +33 6 12 34 56 78, or 06 12 34 56 78 in the default region (+999… is no country\'s code)');
      expect(localeRegion({ LANG: 'fr_BE.UTF-8' })).to.equal('BE');
      expect(localeRegion({ LANG: 'C.UTF-8' })).to.equal('FR');
      expect(localeRegion({})).to.equal('FR');
    });
  });
});
