/**
 * Names and habits at a real prompt (pty): a declaration that would hide a
 * shell name is refused in one line, `.clear` gives the names back, a mistyped
 * object gets a suggestion, and psql or mongosh reflexes answer usefully.
 */
import { expect } from 'chai';
import { FIXTURE_PASSWORD } from '../support/fixtures.js';
import { KEY, PtySession } from '../support/pty.js';
import { cliTestbed, runCli } from '../support/cli.js';
import { fingerprint } from '../support/server.js';

const PROMPT = /epic\(management:maud@epic\.events\)> $/;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('e2e: names and habits at the prompt', function () {
  this.timeout(120_000);
  const bed = cliTestbed('epic-e2e-habits-');

  const openShell = async (): Promise<PtySession> => {
    const { manager } = bed.world;
    const r = await runCli(['--email', manager.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
    const shell = PtySession.start(['--email', manager.email], bed.env, { columns: 80, rows: 500 });
    await shell.waitFor(PROMPT);
    return shell;
  };
  const run = async (shell: PtySession, line: string): Promise<string> => {
    shell.sendLine(line);
    const out = await shell.waitFor(new RegExp(`${escape(line)}[\\s\\S]*${PROMPT.source}`));
    return out.slice(out.indexOf(line) + line.length).replace(PROMPT, '').trim();
  };

  it('refuses `const contracts = …` and `let clients` in one line, the shell objects unchanged; .clear keeps them', async () => {
    const shell = await openShell();
    const before = await fingerprint();
    expect(await run(shell, 'const contracts = 5')).to.equal('TypeError: contracts belongs to the shell and cannot be declared again (choose another name)');
    expect(await run(shell, 'let [x, clients] = [1, 2]')).to.match(/^TypeError: clients belongs to the shell/);
    expect(await run(shell, 'contracts.count()')).to.equal('6');
    expect(await run(shell, 'const mine = 3')).to.equal('');
    expect(await run(shell, 'mine + 1')).to.equal('4');
    shell.sendLine('.clear');
    await shell.waitFor(PROMPT);
    expect(await run(shell, 'clients.count()')).to.equal('2');
    expect(await run(shell, 'typeof mine')).to.equal("'undefined'");
    expect(await fingerprint()).to.deep.equal(before);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
  });

  it('suggests the object for a mistyped one, and answers psql and mongosh reflexes', async () => {
    const shell = await openShell();
    expect(await run(shell, 'client.list()')).to.equal('ReferenceError: client is not defined: did you mean clients?');
    expect(await run(shell, 'contract.count()')).to.match(/did you mean contracts\?$/);
    expect(await run(shell, '\\x')).to.match(/config\.set\('expanded', 'on'\)/);
    expect(await run(shell, 'show collections')).to.match(/clients, contracts, events, users, reports/);
    expect(await run(shell, '\\dt')).to.match(/objects, not tables/);
    expect(await run(shell, '\\?')).to.match(/^Objects \(you are in management\):/);
    shell.sendLine('\\q');
    expect(await shell.exitCode()).to.equal(0);
  });

  it('names settings the same everywhere and takes a number typed as text', async () => {
    const shell = await openShell();
    expect(await run(shell, "config.set('pageSize', '5')")).to.match(/^pageSize is now 5 \((saved|for this session)\)$/);
    const listing = await run(shell, 'config.get()');
    expect(listing).to.match(/^pageSize +5$/m).and.match(/^expanded +'auto'$/m).and.not.include('page size');
    expect(await run(shell, "config.set('pageSize', 'five')")).to.match(/^ValidationError: .*pageSize.*whole number/);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
  });

  it('Up-arrow recalls a multi-line input whole, and Enter runs it again', async () => {
    const shell = await openShell();
    shell.sendLine('contracts.count({');
    await shell.waitFor(/(\| |\.\.\. )$/);
    shell.sendLine('signed: true})');
    await shell.waitFor(new RegExp(`\\n4\\n[\\s\\S]*${PROMPT.source}`));
    shell.send(KEY.up);
    // The whole statement comes back (Node.js 24 draws its lines under `| `; older ones on one line).
    await shell.waitFor(/contracts\.count\(\{(\n\| | )signed: true\}\)$/);
    shell.send(KEY.enter);
    await shell.waitFor(new RegExp(`\\n4\\n[\\s\\S]*${PROMPT.source}`));
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
  });

  it('Tab completes setting names and values, departments, the by of reports.revenue and the object of activity', async () => {
    const shell = await openShell();
    const lists = [
      ["config.set('page", /pageSize\s+pager/],
      ["config.set('expanded', '", /auto\s+on\s+off/],
      ["users.create({fullName: 'A', department: 's", /sales\s+support/],
      ["reports.revenue({by: '", /salesContact\s+client\s+month/],
      ["activity({object: 'c", /client\s+contract/],
    ] as const;
    for (const [line, listed] of lists) {
      expect(await shell.completions(line, listed)).to.match(listed);
      shell.send(KEY.ctrlU);
    }
    // One candidate: completed in the line, and it runs.
    shell.send(`config.get('dateF${KEY.tab}`);
    await shell.waitFor(/config\.get\('dateFormat$/);
    shell.sendLine("')");
    await shell.waitFor(new RegExp(`'local'\\n[\\s\\S]*${PROMPT.source}`));
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
  });
});
