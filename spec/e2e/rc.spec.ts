/** The start-up file (rc.js in the state directory) through the real CLI: run at interactive start, skipped with --norc and by scripts. */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURE_PASSWORD } from '../support/fixtures.js';
import { KEY, PtySession } from '../support/pty.js';
import { cliTestbed, runCli } from '../support/cli.js';

describe('e2e: rc.js and settings that stay', function () {
  this.timeout(60_000);
  const bed = cliTestbed('epic-e2e-rc-');

  it('rc.js runs when the prompt opens, not with --norc, never in --eval; settings set in one shell hold in the next', async () => {
    const { alice } = bed.world;
    const login = await runCli(['--email', alice.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
    expect(login.code, login.stderr).to.equal(0);
    fs.writeFileSync(path.join(bed.home, 'rc.js'), "print('rc ran')\n", { mode: 0o600 });

    const shell = PtySession.start(['--email', alice.email], bed.env, { columns: 100, rows: 200 });
    await shell.waitFor(/rc ran\n[\s\S]*epic\(sales:alice@epic\.events\)> $/);
    shell.sendLine("config.set('columns.clients', ['id', 'email'])");
    await shell.waitFor(/is now \["id","email"\] \(saved\)[\s\S]*> $/);
    shell.sendLine('cls');
    await shell.waitFor(/> $/);
    expect(shell.rawOutput).to.include('\x1b[H\x1b[2J');
    shell.sendLine('exit');
    expect(await shell.exitCode()).to.equal(0);
    expect(fs.statSync(path.join(bed.home, 'settings.json')).mode & 0o777).to.equal(0o600);

    const norc = PtySession.start(['--email', alice.email, '--norc'], bed.env, { columns: 100, rows: 200 });
    await norc.waitFor(/> $/);
    norc.sendLine('clients.list()');
    await norc.waitFor(/\(\d+ rows?\)[\s\S]*> $/);
    norc.send(KEY.ctrlD);
    expect(await norc.exitCode()).to.equal(0);
    expect(norc.output).not.to.include('rc ran');
    expect(norc.output).to.match(/^ID\s+EMAIL$/m);

    const script = await runCli(['--eval', '1 + 1'], bed.env);
    expect(script.code, script.stderr).to.equal(0);
    expect(script.stdout).to.equal('2\n');
  });
});
