import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { main } from '../../../lib/program/cli.js';
import { readToken, saveToken } from '../../../lib/auth/store.js';

function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({ write(c, _e, done) { chunks.push(String(c)); done(); } });
  return Object.assign(w, { text: () => chunks.join('') });
}

describe('commands/logout', () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-logout-'));
  });
  afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  const run = async (...argv: string[]) => {
    const stdout = sink();
    const stderr = sink();
    const code = await main(['logout', ...argv], { stdin: process.stdin, stdout, stderr, env: { EPIC_EVENTS_HOME: stateDir, EPIC_EVENTS_NO_DOTENV: '1' } });
    return { code, out: stdout.text(), err: stderr.text() };
  };

  it('removes the last email’s stored token, prints one line and exits 0', async () => {
    saveToken({ stateDir }, 'bob@epic.events', 'token-b');
    saveToken({ stateDir }, 'alice@epic.events', 'token-a');
    const { code, out } = await run();
    expect(code).to.equal(0);
    expect(out).to.equal('Logged out alice@epic.events: session ended, stored token removed.\n');
    expect(readToken({ stateDir }, 'alice@epic.events')).to.equal(undefined);
    expect(readToken({ stateDir }, 'bob@epic.events')).to.equal('token-b');
  });

  it('removes the token of --email and says so when there is none', async () => {
    saveToken({ stateDir }, 'bob@epic.events', 'token-b');
    expect((await run('--email', 'Bob@Epic.Events')).out).to.match(/Logged out bob@epic.events/);
    expect((await run('--email', 'bob@epic.events')).out).to.equal('No stored token for bob@epic.events.\n');
  });
});
