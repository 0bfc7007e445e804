/**
 * A colleague who can write a shared folder (an imports folder beside the CSV
 * files) puts a `.env` there naming her own server; the manager starts the
 * shell in it. The file is named in one line and ignored: configuration comes
 * from the environment, the project root's `.env`, and a working folder's
 * `.env` only when it and its folder are the user's own and nobody else may
 * write them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { readEnvironment } from '../../lib/platform/config.js';

const HER_SERVER = 'postgres://epic_app:x@her-server.example/epic_events';
const NOBODY = 65534;

describe('security: configuration only from trusted places', () => {
  let root: string;
  let warnings: string[];
  const read = (cwd: string) => readEnvironment({ HOME: '/home/boss' }, cwd, (line) => warnings.push(line));

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-envtrust-'));
    warnings = [];
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function folderWithEnv(folderMode: number, fileMode: number, owner?: number): string {
    const dir = path.join(root, `f${folderMode.toString(8)}-${fileMode.toString(8)}-${owner ?? 'me'}`);
    fs.mkdirSync(dir);
    const file = path.join(dir, '.env');
    fs.writeFileSync(file, `DATABASE_URL=${HER_SERVER}\n`);
    fs.chmodSync(file, fileMode);
    fs.chmodSync(dir, folderMode);
    if (owner !== undefined) fs.chownSync(file, owner, owner);
    return dir;
  }

  it('ignores a .env in a folder others may write (a shared imports folder), naming it in one line', () => {
    const shared = folderWithEnv(0o777, 0o644);
    expect(read(shared).DATABASE_URL).to.equal(undefined);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain(path.join(shared, '.env')).and.contain('others may write its folder');
    expect(warnings[0]).not.to.contain('her-server');
  });

  it('ignores a .env others may write, or that belongs to another user', function () {
    if (process.getuid?.() !== 0) this.skip(); // giving a file away takes root
    expect(read(folderWithEnv(0o755, 0o666)).DATABASE_URL).to.equal(undefined);
    expect(read(folderWithEnv(0o755, 0o644, NOBODY)).DATABASE_URL).to.equal(undefined);
    expect(warnings.map((w) => w.replace(/^Ignored \S+: /, '').replace(/ \(.*/, ''))).to.deep.equal(['others may write it', 'it belongs to another user']);
  });

  it('ignores a .env that is a symbolic link to someone else\'s file', () => {
    const dir = path.join(root, 'linked');
    fs.mkdirSync(dir, { mode: 0o700 });
    const target = path.join(root, 'theirs.env');
    fs.writeFileSync(target, `DATABASE_URL=${HER_SERVER}\n`);
    fs.symlinkSync(target, path.join(dir, '.env'));
    expect(read(dir).DATABASE_URL).to.equal(undefined);
    expect(warnings[0]).to.contain('symbolic link');
  });

  it('reads a .env of ones own in a private folder; the environment still wins', () => {
    const mine = folderWithEnv(0o700, 0o600);
    expect(read(mine).DATABASE_URL).to.equal(HER_SERVER);
    expect(readEnvironment({ DATABASE_URL: 'postgres://env' }, mine, (l) => warnings.push(l)).DATABASE_URL).to.equal('postgres://env');
    expect(warnings).to.deep.equal([]);
  });
});
