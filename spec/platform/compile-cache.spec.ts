/**
 * Node.js's compile cache (lib/platform/compile-cache.ts, issue 33): on
 * Node.js 22.1+ the CLI keeps V8's code for its modules in the user's cache
 * directory; a damaged cache (every entry overwritten with noise, then
 * emptied) costs a compile, never a run; a cache folder others may write is
 * not used. On Node.js 20, which has no such cache, nothing is written there.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { expect } from 'chai';
import { compileCacheDir } from '../../lib/platform/compile-cache.js';
import { cliTestbed, runCli } from '../support/cli.js';
import { FIXTURE_PASSWORD } from '../support/fixtures.js';

const nodeHasCache = typeof (module as unknown as { enableCompileCache?: unknown }).enableCompileCache === 'function';

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

describe('platform: the compile cache', function () {
  this.timeout(60_000);
  const bed = cliTestbed('epic-compile-cache-');

  const setUp = async (mode = 0o700) => {
    const cacheHome = path.join(bed.home, 'cache');
    fs.mkdirSync(cacheHome, { mode: 0o700 });
    fs.mkdirSync(path.join(cacheHome, 'epic-events'));
    fs.chmodSync(path.join(cacheHome, 'epic-events'), mode);
    const env = { ...bed.env, XDG_CACHE_HOME: cacheHome };
    const login = await runCli(['--email', bed.world.alice.email, '--password-stdin'], env, `${FIXTURE_PASSWORD}\n`);
    expect(login.code, login.stderr).to.equal(0);
    return { cacheHome, env };
  };
  const whoami = async (env: NodeJS.ProcessEnv) => {
    const r = await runCli(['--eval', 'whoami().email'], env);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include(bed.world.alice.email);
  };

  it('lives in $XDG_CACHE_HOME (an absolute one), else ~/.cache', () => {
    expect(compileCacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/a' })).to.equal('/x/cache/epic-events/compile-cache');
    expect(compileCacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/home/a' })).to.equal('/home/a/.cache/epic-events/compile-cache');
    expect(compileCacheDir({})).to.equal(undefined);
  });

  it('a damaged cache costs a compile, never a run (Node.js 22.1+; on Node.js 20 none is written)', async () => {
    const { cacheHome, env } = await setUp();
    await whoami(env);
    const files = filesUnder(cacheHome);
    if (!nodeHasCache) {
      expect(files).to.deep.equal([]);
      return;
    }
    expect(files.length).to.be.greaterThan(0);
    for (const f of files) fs.writeFileSync(f, crypto.randomBytes(300));
    await whoami(env);
    for (const f of filesUnder(cacheHome)) fs.writeFileSync(f, '');
    await whoami(env);
  });

  it('a cache folder others may write is not used', async () => {
    const { cacheHome, env } = await setUp(0o777);
    await whoami(env);
    expect(filesUnder(cacheHome)).to.deep.equal([]);
  });
});
