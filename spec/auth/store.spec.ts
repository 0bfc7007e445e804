import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { lastEmail, readToken, removeToken, saveToken, tokenStorePath } from '../../lib/auth/store.js';
import { ConfigError } from '../../lib/domain/errors.js';

describe('auth/store', () => {
  let config: { stateDir: string };
  beforeEach(() => {
    config = { stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'epic-store-')) };
  });
  afterEach(() => fs.rmSync(config.stateDir, { recursive: true, force: true }));

  const mode = () => fs.statSync(tokenStorePath(config)).mode & 0o777;

  it('keeps the store at mode 0600 after every write', () => {
    saveToken(config, 'alice@epic.events', 'token-a');
    expect(mode()).to.equal(0o600);
    saveToken(config, 'bob@epic.events', 'token-b');
    expect(mode()).to.equal(0o600);
    removeToken(config, 'bob@epic.events');
    expect(mode()).to.equal(0o600);
  });

  it('refuses a store readable by group or others, saying how to fix it', () => {
    saveToken(config, 'alice@epic.events', 'token-a');
    fs.chmodSync(tokenStorePath(config), 0o644);
    expect(() => readToken(config, 'alice@epic.events')).to.throw(ConfigError, /chmod 600/);
    expect(() => saveToken(config, 'alice@epic.events', 'token-b')).to.throw(ConfigError, /0644/);
  });

  it('keys tokens by lower-cased email and remembers the last email', () => {
    saveToken(config, 'Alice@Epic.Events', 'token-a');
    expect(readToken(config, 'alice@epic.events')).to.equal('token-a');
    expect(lastEmail(config)).to.equal('alice@epic.events');
  });

  it('removes only the named token and forgets it as the last email', () => {
    saveToken(config, 'bob@epic.events', 'token-b');
    saveToken(config, 'alice@epic.events', 'token-a');
    expect(removeToken(config, 'alice@epic.events')).to.equal(true);
    expect(readToken(config, 'alice@epic.events')).to.equal(undefined);
    expect(readToken(config, 'bob@epic.events')).to.equal('token-b');
    expect(lastEmail(config)).to.equal(undefined);
    expect(removeToken(config, 'alice@epic.events')).to.equal(false);
  });
});

describe('auth/store under concurrent processes', function () {
  this.timeout(60_000);
  it('keeps every token when 20 processes store theirs at once', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { fileURLToPath } = await import('node:url');
    const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'support', 'state-worker.js');
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-store-many-'));
    try {
      const emails = Array.from({ length: 20 }, (_, i) => `user${i}@epic.events`);
      await Promise.all(emails.map((email) => promisify(execFile)(process.execPath, [worker, 'token', stateDir, email])));
      for (const email of emails) expect(readToken({ stateDir }, email)).to.equal(`token-of-${email}`);
      expect(fs.readdirSync(stateDir).sort()).to.deep.equal(['tokens.json']);
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
