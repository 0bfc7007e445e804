/**
 * Reliability (issue 28, item 5): every error message is bounded, however
 * many problems a call finds — a CSV header of 999,000 names, a million
 * problems handed to a ValidationError — and says how many it leaves out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { MAX_MESSAGE_CHARS, ValidationError } from '../../lib/domain/errors.js';
import { apiAs, buildWorld, expectRefused, type World } from '../support/fixtures.js';
import { resetData } from '../support/server.js';
import { tempWorkingDir } from '../support/workdir.js';

describe('reliability: bounded error messages', function () {
  this.timeout(120_000);
  let w: World;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
  });
  const work = tempWorkingDir('epic-bounded-');

  const refusedImport = async (name: string, content: string): Promise<ValidationError> => {
    fs.writeFileSync(path.join(work.path, name), content);
    const err = await expectRefused(() => apiAs(w.alice).clients.import(name));
    expect(err).to.be.instanceOf(ValidationError);
    return err as ValidationError;
  };

  it('a header of 120,000 unknown names gives an error of a few kB that counts the rest', async () => {
    const err = await refusedImport('wide.csv', `Full name,Email,${Array.from({ length: 120_000 }, (_, i) => `x${i}`).join(',')}\nAnn,ann@x.test\n`);
    expect(err.message.length).to.be.at.most(MAX_MESSAGE_CHARS + 200);
    expect(err.message).to.include('wide.csv:1: column "x0" is not known');
    expect(err.message).to.include('… and 119,980 more problems with the header');
    expect(err.problems.length).to.be.at.most(25);
  });

  it('a header of 999,000 empty names is a line of separators only: empty, the next line read as the header, named by its number', async () => {
    const err = await refusedImport('empty-names.csv', `${','.repeat(999_000)}\nAnn,ann@x.test\n`);
    expect(err.message.length).to.be.at.most(MAX_MESSAGE_CHARS + 200);
    expect(err.problems.map((p) => p.problem.replace(/; known headers: .*/, ''))).to.deep.equal([
      'empty-names.csv:2: column "Ann" is not known',
      'empty-names.csv:2: column "ann@x.test" is not known',
      'empty-names.csv:2: no column gives fullName (a header such as "Full name", "Nom complet", or "Prénom" and "Nom")',
      'empty-names.csv:2: no column gives email (a header such as "Email" or "E-mail")',
    ]);
  });

  it('a ValidationError of a million problems keeps its message under the bound, counting what it leaves out', () => {
    const err = new ValidationError(Array.from({ length: 1_000_000 }, (_, i) => ({ field: `f${i}`, problem: 'is wrong' })));
    expect(err.message.length).to.be.at.most(MAX_MESSAGE_CHARS + 100);
    expect(err.message).to.match(/; … and 99\d,\d{3} more problems$/);
    const long = new ValidationError([{ field: 'x', problem: 'y'.repeat(1_000_000) }]);
    expect(long.message.length).to.be.at.most(MAX_MESSAGE_CHARS);
  });
});
