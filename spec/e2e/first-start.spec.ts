/**
 * The first start under a real pseudo-terminal (#17 item 6): on a fresh
 * embedded installation the shell asks for the first management collaborator
 * in one pass — each answer checked as it is typed, said wrong in its own
 * words and asked again — then opens logged in as them, without asking the
 * email or the password again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { EmbeddedServer } from '../../lib/db/embedded/index.js';
import { killAll } from '../support/cli.js';
import { KEY, PtySession } from '../support/pty.js';

const PASSWORD = 'ada chose this passphrase';

describe('e2e: the first start asks for the first management collaborator in one pass', function () {
  this.timeout(180_000);
  let home: string;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-first-start-'));
    fs.chmodSync(home, 0o700);
  });
  afterEach(async () => {
    await killAll();
    await new EmbeddedServer(home).stop().catch(() => undefined);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('checks each answer as it is typed, then opens the shell as the collaborator just created', async () => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH, HOME: home, TERM: 'xterm', EPIC_EVENTS_HOME: home, EPIC_EVENTS_NO_DOTENV: '1', EMBEDDED_IDLE: '0', BCRYPT_ROUNDS: '4',
    };
    const shell = PtySession.start([], env);
    await shell.waitFor(/No management collaborator yet: creating the first one\.\n[\s\S]*Full name \[Administrator\]: $/, 150_000);
    shell.sendLine('Ada \u202eAdmin');
    await shell.waitFor(/Full name must be one line without control or bidirectional-override characters; try again\.\n[\s\S]*Full name \[Administrator\]: $/);
    shell.sendLine('Ada Admin');
    await shell.waitFor(/Email: $/);
    shell.sendLine('ada-at-epic.events');
    // Said at the email prompt, in the words of the question (not ADMIN_EMAIL, not after the passwords).
    const bad = await shell.waitFor(/Email: $/);
    expect(bad).to.include('Email must be an email address such as name@example.com; try again.');
    expect(bad).not.to.include('ADMIN_EMAIL').and.not.to.include('Password');
    shell.sendLine('Ada@Epic.Events');
    await shell.waitFor(/Password \(12\+ characters\): $/);
    shell.sendLine('too short');
    await shell.waitFor(/The password must be at least 12 characters; try another\.\n[\s\S]*Password \(12\+ characters\): $/);
    shell.sendLine(PASSWORD);
    await shell.waitFor(/Password again: $/);
    shell.sendLine(PASSWORD);
    const opened = await shell.waitFor(/epic\(management:ada@epic\.events\)> $/, 60_000);
    expect(opened).not.to.match(/Email( \[[^\]]*\])?: /);
    expect(opened).not.to.match(/Password for /);
    shell.sendLine('whoami().fullName');
    await shell.waitFor(/Ada Admin[\s\S]*> $/);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode(60_000)).to.equal(0);
    expect(shell.output).not.to.include(PASSWORD);

    // The next start knows them: the stored token opens the shell, nothing is asked but the email.
    const again = PtySession.start([], env);
    await again.waitFor(/Email \[ada@epic\.events\]: $/, 60_000);
    again.sendLine('');
    await again.waitFor(/epic\(management:ada@epic\.events\)> $/, 60_000);
    again.send(KEY.ctrlD);
    expect(await again.exitCode(60_000)).to.equal(0);
  });
});
