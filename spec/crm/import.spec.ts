import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { PermissionDenied, ValidationError } from '../../lib/domain/errors.js';
import { headerKey, Utf8Scanner } from '../../lib/crm/csv-file.js';
import { addClient, apiAs, buildWorld, expectRefused, type World } from '../support/fixtures.js';
import { fingerprint, resetData } from '../support/server.js';
import { tempWorkingDir } from '../support/workdir.js';

/** The lines a refused import names, in order. */
const problems = (err: Error): string[] => (err as ValidationError).problems.map((p) => p.problem);

describe('clients.import', function () {
  this.timeout(120_000);
  let w: World;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
  });
  const work = tempWorkingDir('epic-import-');

  const file = (name: string, content: string | Buffer): string => {
    fs.writeFileSync(path.join(work.path, name), content);
    return name;
  };

  /** The refusal of an import, asserting that the database did not change. */
  const refused = async (call: () => Promise<unknown>): Promise<Error> => {
    const err = await expectRefused(() => call());
    return err;
  };

  it('imports a salesperson\'s file (BOM, semicolons, French headers): they become the sales contact, each client\'s history says where it came from', async () => {
    const name = file('clients.csv', '\uFEFFNom complet;E-mail;Téléphone;Société\r\nKevin Casey;kevin@startup.io;+678 123 456 78;Cool Startup LLC\r\n"Dupont; Marie";marie@dupont.fr;;\r\n');
    const report = await apiAs(w.alice).clients.import(name);
    expect(report).to.deep.equal({ file: 'clients.csv', created: 2, updated: 0, skipped: 0, dryRun: false, importId: 1 });
    const rows = (await apiAs(w.alice).clients.list({ search: 'dupont.fr' })).rows;
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ fullName: 'Dupont; Marie', phone: null, companyName: null, salesContactId: w.alice.id });
    const kevin = (await apiAs(w.alice).clients.list({ search: 'kevin@startup' })).rows[0];
    expect(kevin).to.include({ phone: '+678 123 456 78', companyName: 'Cool Startup LLC' });
    const history = (await apiAs(w.alice).clients.history(kevin.id)).rows as Array<{ action: string; note: string }>;
    expect(history.map((h) => [h.action, h.note])).to.deep.equal([['imported', 'imported from clients.csv']]);
  });

  it('reads headers whatever their case, accents and spaces, and tab-separated files', async () => {
    expect(['Full name', 'FULLNAME', 'full_name', 'E-mail', 'Téléphone', 'Société', ' Company '].map(headerKey))
      .to.deep.equal(['fullname', 'fullname', 'fullname', 'email', 'telephone', 'societe', 'company']);
    const name = file('tabs.tsv', 'FULL NAME\tEmail\tCompany\nAnn Tab\tann@tab.test\tTabs & Co\n');
    expect((await apiAs(w.alice).clients.import(name)).created).to.equal(1);
  });

  it('refuses unknown columns by name and changes nothing; {map} says where they go or leaves them out', async () => {
    const name = file('extra.csv', 'Full name,Email,Mobile,Notes\nAnn,ann@x.test,+33 6 12 34 56 78,likes cake\n');
    const err = await refused(() => apiAs(w.alice).clients.import(name));
    expect(err).to.be.instanceOf(ValidationError);
    expect(err.message).to.include('extra.csv:1: column "Notes" is not known');
    expect(err.message).to.not.include('"Mobile"'); // Mobile is a known phone header
    const report = await apiAs(w.alice).clients.import(name, { map: { Notes: null } });
    expect(report.created).to.equal(1);
    const mapped = file('mapped.csv', 'Nom,Courriel,Portable\nBea,bea@x.test,+33 6 00 00 00 01\n');
    await apiAs(w.alice).clients.import(mapped, { map: { Portable: 'phone' } });
    expect((await apiAs(w.alice).clients.list({ search: 'bea@x' })).rows[0].phone).to.equal('+33 6 00 00 00 01');
  });

  it('refuses duplicated headers and a missing email column, naming them', async () => {
    const name = file('dup.csv', 'Full name,Email,E-mail\nAnn,a@x.test,a@x.test\n');
    const err = await refused(() => apiAs(w.alice).clients.import(name));
    expect(problems(err)[0]).to.equal('dup.csv:1: columns "Email" and "E-mail" both give email');
    const noEmail = file('noemail.csv', 'Full name,Phone\nAnn,+33 6 12 34 56 78\n');
    expect((await refused(() => apiAs(w.alice).clients.import(noEmail))).message).to.include('no column gives email');
  });

  it('names every bad line (file:LINE: field: problem) with clients.create\'s validators, and writes nothing', async () => {
    const name = file('bad.csv', [
      'Full name,Email,Phone',
      'Good One,good@x.test,',
      ' ,not-an-email,12',
      '"Multi',
      'line",ml@x.test,',
      'Short,short@x.test',
      'Good Two,good2@x.test,',
    ].join('\n'));
    const err = await refused(() => apiAs(w.alice).clients.import(name));
    expect(problems(err)).to.deep.equal([
      'bad.csv:3: fullName: must not be empty; email: "not-an-email" must be an email address such as name@example.com; phone: "12" must be a phone number: digits, spaces and + - ( ) . with 6 to 20 digits',
      'bad.csv:4: fullName: "Multi\\nline" must be one line without control or bidirectional-override characters',
      'bad.csv:6: has 2 fields, the header 3',
      'nothing was imported from bad.csv (3 bad lines; all or nothing)',
    ]);
  });

  it('names at most 100 bad lines, then counts the rest', async () => {
    const lines = ['Full name,Email'];
    for (let i = 0; i < 150; i++) lines.push(`Name ${i},bad-${i}`);
    const err = await refused(() => apiAs(w.alice).clients.import(file('many.csv', lines.join('\n'))));
    const list = problems(err);
    expect(list).to.have.length(102);
    expect(list[100]).to.equal('… and 50 more bad lines');
    expect(list[101]).to.equal('nothing was imported from many.csv (150 bad lines; all or nothing)');
  });

  it('finds duplicate emails in the file and in the database, any case; onDuplicate skip leaves them, update changes only the caller\'s own', async () => {
    const inFile = file('twice.csv', 'Full name,Email\nAnn,ann@x.test\nAnn Again,ANN@x.test\n');
    expect(problems(await refused(() => apiAs(w.alice).clients.import(inFile)))[0]).to.equal('twice.csv:3: email: ANN@x.test is already on line 2');

    const vsDb = file('known.csv', 'Full name,Email,Company\nNew Name,A@CLIENT.TEST,New Co\nFresh,fresh@x.test,\n');
    expect(problems(await refused(() => apiAs(w.alice).clients.import(vsDb)))[0]).to.match(/^known\.csv:2: email: client \d+ already has A@CLIENT\.TEST/);

    expect(await apiAs(w.alice).clients.import(vsDb, { onDuplicate: 'skip' })).to.include({ created: 1, skipped: 1, updated: 0 });
    expect((await apiAs(w.alice).clients.get(w.clientA)).fullName).to.equal('Client of Alice');

    const again = file('again.csv', 'Full name,Email,Company\nNew Name,A@CLIENT.TEST,New Co\n');
    expect(await apiAs(w.alice).clients.import(again, { onDuplicate: 'update' })).to.include({ created: 0, updated: 1 });
    expect(await apiAs(w.alice).clients.get(w.clientA)).to.include({ fullName: 'New Name', companyName: 'New Co', email: 'a@client.test' });

    const bobs = file('bobs.csv', 'Full name,Email\nMine Now,b@client.test\n');
    const err = await refused(() => apiAs(w.alice).clients.import(bobs, { onDuplicate: 'update' }));
    expect(problems(err)[0]).to.equal(`bobs.csv:2: email: client ${w.clientB} (b@client.test) belongs to bob@epic.events: onDuplicate 'update' changes only your own clients`);
  });

  it('dryRun checks everything and writes nothing', async () => {
    const name = file('dry.csv', 'Full name,Email\nAnn,ann@x.test\nBea,bea@x.test\n');
    const before = await fingerprint();
    expect(await apiAs(w.alice).clients.import(name, { dryRun: true })).to.deep.equal({ file: 'dry.csv', created: 2, updated: 0, skipped: 0, dryRun: true, importId: null });
    expect(await fingerprint()).to.deep.equal(before);
    await addClient('Taken', 'bea@x.test', w.bob.id);
    expect(problems(await refused(() => apiAs(w.alice).clients.import(name, { dryRun: true })))[0]).to.match(/^dry\.csv:3: email: client \d+ already has bea@x\.test/);
  });

  it('management names the sales contact by email (a salesperson, or none), support may not import', async () => {
    const name = file('team.csv', 'Full name,Email,Sales contact\nAnn,ann@x.test,BOB@epic.events\nBea,bea@x.test,\n');
    expect((await apiAs(w.manager).clients.import(name)).created).to.equal(2);
    expect((await apiAs(w.manager).clients.list({ search: 'ann@x' })).rows[0].salesContactId).to.equal(w.bob.id);
    expect((await apiAs(w.manager).clients.list({ search: 'bea@x' })).rows[0].salesContactId).to.equal(null);

    const wrong = file('wrong.csv', 'Full name,Email,Sales contact\nCy,cy@x.test,kate@epic.events\nDi,di@x.test,nobody@epic.events\n');
    expect(problems(await refused(() => apiAs(w.manager).clients.import(wrong)))).to.deep.equal([
      'wrong.csv:2: salesContact: kate@epic.events is in support, not sales',
      'wrong.csv:3: salesContact: no collaborator has the email nobody@epic.events',
      'nothing was imported from wrong.csv (2 bad lines; all or nothing)',
    ]);

    const salesWithContact = await refused(() => apiAs(w.alice).clients.import(name));
    expect(salesWithContact.message).to.include('column "Sales contact": you become the sales contact');
    const denied = await refused(() => apiAs(w.kate).clients.import(file('s.csv', 'Full name,Email\nAnn,zz@x.test\n')));
    expect(denied).to.be.instanceOf(PermissionDenied);
  });

  it('refuses a file that is not UTF-8, naming its encoding and the line', async () => {
    const latin1 = Buffer.concat([Buffer.from('Full name,Email\nRen'), Buffer.from([0xe9]), Buffer.from(' Dupont,rene@x.test\n')]);
    const err = await refused(() => apiAs(w.alice).clients.import(file('latin1.csv', latin1)));
    expect(err.message).to.equal('latin1.csv is not UTF-8 (line 2, byte 0xE9): it looks like Latin-1 (ISO-8859-1); save it as "CSV UTF-8" and import it again (nothing was imported)');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Full name,Email\n', 'utf16le')]);
    expect((await refused(() => apiAs(w.alice).clients.import(file('u16.csv', utf16)))).message).to.include('UTF-16');
    const scanner = new Utf8Scanner();
    expect(scanner.scan(Buffer.from('é€😀', 'utf8'))).to.equal(-1);
    expect(new Utf8Scanner().scan(Buffer.from([0xc0, 0xaf]))).to.equal(0); // overlong
    expect(new Utf8Scanner().scan(Buffer.from([0xed, 0xa0, 0x80]))).to.equal(1); // a surrogate
  });

  it('resolves a relative file name against the working directory, and says when the file is missing', async () => {
    fs.mkdirSync(path.join(work.path, 'sub'));
    file('sub/in.csv', 'Full name,Email\nAnn,ann@x.test\n');
    expect((await apiAs(w.alice).clients.import('sub/in.csv')).created).to.equal(1);
    // The message names the path looked at, not only the name typed.
    expect((await refused(() => apiAs(w.alice).clients.import('nope.csv'))).message).to.equal(`file ${path.join(fs.realpathSync(work.path), 'nope.csv')} does not exist`);
    expect((await refused(() => apiAs(w.alice).clients.import('sub/nope.xlsx'))).message).to.equal(`file ${path.join(fs.realpathSync(work.path), 'sub', 'nope.xlsx')} does not exist`);
  });

  describe('hostile files', () => {
    it('keeps formula cells as the text they are (export neutralises them)', async () => {
      const name = file('formula.csv', 'Full name,Email,Company\n"=HYPERLINK(""http://evil.test"",""x"")",f@x.test,@SUM(A1)\n');
      await apiAs(w.alice).clients.import(name);
      expect((await apiAs(w.alice).clients.list({ search: 'f@x.test' })).rows[0]).to.include({ fullName: '=HYPERLINK("http://evil.test","x")', companyName: '@SUM(A1)' });
    });

    it('refuses unbalanced quotes, naming the line where the quote opened', async () => {
      const name = file('quotes.csv', 'Full name,Email\nAnn,ann@x.test\n"Bea,bea@x.test\nCy,cy@x.test\n');
      expect(problems(await refused(() => apiAs(w.alice).clients.import(name)))[0]).to.match(/^quotes\.csv:3: a quoted field starts here and is never closed/);
      const inside = file('inside.csv', 'Full name,Email\nAn"n,ann@x.test\n');
      expect(problems(await refused(() => apiAs(w.alice).clients.import(inside)))[0]).to.match(/^inside\.csv:2: a quote in the middle of an unquoted field/);
    });

    it('refuses a 10 MB line without reading it whole', async () => {
      const name = file('long.csv', `Full name,Email\nAnn,ann@x.test\n${'x'.repeat(10 * 1024 * 1024)},long@x.test\n`);
      expect(problems(await refused(() => apiAs(w.alice).clients.import(name)))[0]).to.match(/^long\.csv:3: the line is longer than 1 MB/);
    });

    it('refuses a NUL byte, naming the line and field', async () => {
      const name = file('nul.csv', 'Full name,Email\nAn\u0000n,ann@x.test\n');
      expect(problems(await refused(() => apiAs(w.alice).clients.import(name)))[0]).to.equal('nul.csv:2: fullName: "An\\u0000n" must not contain NUL characters');
    });

    it('reads mixed line endings (CRLF, LF, CR) as lines', async () => {
      const name = file('mixed.csv', 'Full name,Email\r\nAnn,ann@x.test\nBea,bea@x.test\rCy,cy@x.test\r\n\r\nDi,di@x.test');
      expect((await apiAs(w.alice).clients.import(name)).created).to.equal(4);
      const bad = file('mixedbad.csv', 'Full name,Email\r\nAnn,ann@x.test\nBea,bad\rCy,cy@x.test\r\n\r\nDi,bad2');
      expect(problems(await refused(() => apiAs(w.alice).clients.import(bad))).filter((l) => l.includes('must be an email'))).to.deep.equal([
        'mixedbad.csv:3: email: "bad" must be an email address such as name@example.com',
        'mixedbad.csv:6: email: "bad2" must be an email address such as name@example.com',
      ]);
    });

    it('refuses an empty file; a header alone imports nothing', async () => {
      expect((await refused(() => apiAs(w.alice).clients.import(file('empty.csv', ''))))).to.be.instanceOf(ValidationError);
      expect((await refused(() => apiAs(w.alice).clients.import(file('blank.csv', '\uFEFF\n\n')))).message).to.include('blank.csv is empty');
      const before = await fingerprint();
      expect(await apiAs(w.alice).clients.import(file('header.csv', 'Full name,Email\n'))).to.include({ created: 0 });
      expect(await fingerprint()).to.deep.equal(before);
    });

    it('100,000 rows with one bad line at 99,999: nothing written, that line named', async () => {
      const lines = ['Full name,Email,Phone'];
      for (let i = 1; i <= 100_000; i++) lines.push(i === 99_998 ? `Client ${i},broken-email,` : `Client ${i},c${i}@bulk.test,+33 1 ${String(i).padStart(8, '0')}`); // each its own number
      const name = file('big.csv', `${lines.join('\n')}\n`);
      const err = await refused(() => apiAs(w.alice).clients.import(name));
      // The header is line 1: the 99,998th row is line 99,999.
      expect(problems(err)).to.deep.equal([
        'big.csv:99999: email: "broken-email" must be an email address such as name@example.com',
        'nothing was imported from big.csv (1 bad line; all or nothing)',
      ]);
    });
  });
});
