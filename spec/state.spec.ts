/**
 * The state directory is ours: refused when another user owns it or others
 * may write to it; its files are created 0600 and checked when read; every
 * configuration problem exits 2 with one line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError } from '../lib/errors.js';
import { assertUsableStateDir, readPrivateFile, writePrivateFile } from '../lib/state.js';
import { FIXTURE_PASSWORD } from './support/fixtures.js';
import { cliTestbed, runCli } from './support/cli.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('the state directory', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-state-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is refused when group or others may write to it, with the chmod that fixes it', () => {
    fs.chmodSync(dir, 0o777);
    const text = refusal(() => assertUsableStateDir(dir));
    expect(text).to.include(`chmod 700 ${dir}`).and.not.include('\n');
    fs.chmodSync(dir, 0o770);
    expect(refusal(() => assertUsableStateDir(dir))).to.include('mode 0770');
    fs.chmodSync(dir, 0o700);
    assertUsableStateDir(dir);
  });

  it('is refused when another user owns it, with the chown that fixes it', function () {
    if (!isRoot) this.skip(); // only root can give a directory away
    fs.chownSync(dir, 65534, 65534);
    const text = refusal(() => assertUsableStateDir(dir));
    expect(text).to.match(/belongs to another user \(uid 65534\)/).and.include(`chown -R 0 ${dir}`);
  });

  it('writes files 0600 and refuses to read one open to others, not ours, or a symbolic link', () => {
    const file = path.join(dir, 'tokens.json');
    writePrivateFile(file, '{}');
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    expect(readPrivateFile(file)).to.equal('{}');
    expect(readPrivateFile(path.join(dir, 'absent'))).to.equal(undefined);

    fs.chmodSync(file, 0o644);
    expect(refusal(() => readPrivateFile(file))).to.include(`chmod 600 ${file}`);
    fs.chmodSync(file, 0o600);

    const link = path.join(dir, 'jwt-secret');
    fs.symlinkSync(file, link);
    expect(refusal(() => readPrivateFile(link))).to.match(/symbolic link/);

    if (isRoot) {
      fs.chownSync(file, 65534, 65534);
      expect(refusal(() => readPrivateFile(file))).to.match(/belongs to another user/);
    }
  });
});

describe('e2e: configuration and state problems exit 2 with one line', function () {
  this.timeout(60_000);
  const bed = cliTestbed('epic-e2e-state-');

  it('a state directory writable by others: exit 2, the chmod to run, nothing else', async () => {
    fs.chmodSync(bed.home, 0o777);
    const r = await runCli(['--eval', '1'], bed.env);
    expect(r.code).to.equal(2);
    expect(r.stderr.trimEnd().split('\n')).to.have.length(1);
    expect(r.stderr).to.include(`chmod 700 ${bed.home}`);
  });

  it('a DATABASE_URL with a bad percent-escape: exit 2 naming it, without echoing it', async () => {
    const r = await runCli(['--eval', '1'], { ...bed.env, DATABASE_URL: 'postgres://admin:pa%zzss@127.0.0.1:1/db' });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^ConfigError: DATABASE_URL has a bad percent-escape in its password/).and.not.include('pa%zzss');
    expect(r.stderr.trimEnd().split('\n')).to.have.length(1);
  });

  it('a bad SENTRY_DSN: exit 2 naming it, without echoing it', async () => {
    const r = await runCli(['--eval', '1'], { ...bed.env, SENTRY_DSN: 'https://leaky-key@' });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^ConfigError: SENTRY_DSN is not a valid Sentry DSN/).and.not.include('leaky-key');
  });

  it('every file the shell leaves in the state directory is 0600', async () => {
    const login = await runCli(['--email', bed.world.alice.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
    expect(login.code, login.stderr).to.equal(0);
    const r = await runCli(['--eval', 'whoami()'], bed.env);
    expect(r.code, r.stderr).to.equal(0);
    const files = fs.readdirSync(bed.home, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(files.length).to.be.greaterThan(0);
    for (const f of files) {
      const full = path.join(f.parentPath ?? (f as unknown as { path: string }).path, f.name);
      expect(fs.statSync(full).mode & 0o777, full).to.equal(0o600);
    }
  });
});
