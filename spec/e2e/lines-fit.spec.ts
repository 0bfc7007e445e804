/**
 * Everything fits the terminal, through a real pseudo-terminal at 80 and 200
 * columns: the greeting, help(), a bare object, find(), history, activity(),
 * reports and users.sessions(), with accents typed as two code points and CJK
 * names (measured in terminal columns); wrapped text breaks between words;
 * columns line up; the pager runs with LESSSECURE=1.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { Actor } from '../../lib/domain/actor.js';
import { textWidth } from '../../lib/platform/width.js';
import { overviewHelp } from '../../lib/shell/help.js';
import { FIXTURE_PASSWORD, addClient, apiAs } from '../support/fixtures.js';
import { KEY, PtySession } from '../support/pty.js';
import { cliTestbed, runCli } from '../support/cli.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const promptOf = (actor: Actor) => new RegExp(`epic\\(${actor.department}:${escape(actor.email)}\\)> $`);
/** Lines wider than `width` terminal columns. */
const tooWide = (output: string, width: number) => output.split('\n').filter((line) => textWidth(line) > width);
const words = (text: string) => text.split(/\s+/).filter(Boolean);

const CJK = '山田太郎';
const COMPANY = '株式会社テスト・グローバル・ホールディングス';
const COMBINING = 'Ame\u0301lie Lefe\u0300vre-Dupont';

describe('e2e: every line fits the terminal', function () {
  this.timeout(120_000);
  const bed = cliTestbed('epic-e2e-fits-');

  beforeEach(async () => {
    const { alice, manager, kate } = bed.world;
    await addClient(CJK, 'yamada@example.jp', alice.id, { companyName: COMPANY });
    await addClient(COMBINING, 'amelie@example.fr', alice.id, { companyName: 'Lefèvre Événements Associés et Compagnie' });
    await apiAs(manager).contracts.update(bed.world.contractA, { totalAmount: '1234.50' });
    await apiAs(kate).events.update(bed.world.eventK, { location: 'Grand Ballroom, Hotel Magnifique, 12 Avenue des Champs-Élysées, Paris' });
  });

  const openShell = async (actor: Actor, columns: number, rows: number, env: NodeJS.ProcessEnv = {}): Promise<PtySession> => {
    const r = await runCli(['--email', actor.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
    const shell = PtySession.start(['--email', actor.email], { ...bed.env, ...env }, { columns, rows });
    await shell.waitFor(promptOf(actor));
    return shell;
  };

  const run = async (shell: PtySession, actor: Actor, line: string): Promise<string> => {
    shell.sendLine(line);
    const out = await shell.waitFor(new RegExp(`${escape(line)}[\\s\\S]*${promptOf(actor).source}`));
    return out.slice(out.indexOf(line) + line.length).replace(promptOf(actor), '');
  };

  const LINES = ['help()', 'clients', 'users', 'contracts', "find('Lefe\u0300vre')", `find('${CJK}')`, 'clients.list()', "contracts.list({columns: 'all'})",
    'activity()', 'contracts.history(' /* id added below */, "reports.revenue({by: 'salesContact'})", 'reports.unpaid()', 'reports.pipeline()', 'users.sessions()', 'events.list()'];

  for (const width of [80, 200]) {
    it(`at ${width} columns: no line of the greeting, help, bare objects, find, history, activity, reports or sessions is wider than ${width}`, async () => {
      const { manager } = bed.world;
      const shell = await openShell(manager, width, 500);
      const outputs: Record<string, string> = {};
      for (const line of LINES) {
        const typed = line === 'contracts.history(' ? `contracts.history(${bed.world.contractA})` : line;
        outputs[line] = await run(shell, manager, typed);
      }
      shell.send(KEY.ctrlD);
      expect(await shell.exitCode()).to.equal(0);
      expect(tooWide(shell.output, width)).to.deep.equal([]);
      // Wrapped, never cut: help() has every word of the overview, whole.
      expect(words(outputs['help()'])).to.deep.equal(words(overviewHelp('management')));
      // A bare object: every description whole, at a word.
      expect(outputs.users).to.include('users.create(').and.match(/collaborator/);
      expect(outputs.users).not.to.include('…');
      // find() fits like a list, and names print whole where they fit.
      expect(outputs[`find('${CJK}')`]).to.include(CJK);
      if (width === 200) {
        expect(outputs['clients.list()']).to.include(COMPANY).and.include(COMBINING);
        expect(outputs['help()']).to.match(/^ {2}export\(list, file\) {2}every page of a list to a file[^\n]*\{overwrite: true\}\)$/m);
      } else {
        expect(outputs['help()']).to.match(/^ {2}export\(list, file\) {2}every page[^\n]*\n {22}\S/m);
      }
    });
  }

  it('lines columns up after CJK and combining characters, and right-aligns money, at 80 columns', async () => {
    const { manager } = bed.world;
    const shell = await openShell(manager, 80, 500);
    const clients = (await run(shell, manager, 'clients.list()')).split('\n');
    const header = clients.find((l) => l.startsWith('ID'))!;
    const startOf = (line: string, text: string) => textWidth(line.slice(0, line.indexOf(text)));
    const company = startOf(header, 'COMPANY NAME');
    for (const name of [CJK, COMBINING]) {
      const row = clients.find((l) => l.includes(name))!;
      const cell = row.slice(row.indexOf(name) + name.length).trimStart();
      expect(startOf(row, cell), `${name}: company column`).to.equal(company);
    }
    const contracts = (await run(shell, manager, 'contracts.list()')).split('\n').filter((l) => /\d\.\d\d/.test(l));
    const ends = contracts.map((l) => textWidth(l.slice(0, l.search(/\d+\.\d\d\s+\d+\.\d\d/))) + /\d+\.\d\d/.exec(l.slice(l.search(/\d+\.\d\d\s+\d+\.\d\d/)))![0].length);
    expect(new Set(ends).size, contracts.join('\n')).to.equal(1); // totals end in the same column
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
  });

  it('pages help() when it is longer than the screen, with LESSSECURE=1', async () => {
    const { manager } = bed.world;
    const marker = path.join(bed.home, 'pager-env');
    const shell = await openShell(manager, 80, 20, { PAGER: `echo "LESSSECURE=$LESSSECURE" > ${marker}; cat` });
    await run(shell, manager, 'help()');
    expect(fs.readFileSync(marker, 'utf8').trim()).to.equal('LESSSECURE=1');
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
  });
});
