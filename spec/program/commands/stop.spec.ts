/**
 * `epic-events stop` and EMBEDDED_IDLE through the real program: a call leaves
 * the embedded server running for the next one, `stop` stops it (and its
 * watcher); with an external database there is nothing to stop; a bad
 * EMBEDDED_IDLE is one line, exit 2.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedServer } from '../../../lib/db/embedded/index.js';
import { pidAlive } from '../../../lib/platform/locks.js';
import { cliEnv, killAll, runCli } from '../../support/cli.js';
import { ctx } from '../../support/server.js';
import { until } from '../../support/until.js';

describe('commands: epic-events stop, and the lingering embedded server', function () {
  this.timeout(180_000);
  let home: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-stop-'));
    env = { EPIC_EVENTS_NO_DOTENV: '1', EPIC_EVENTS_HOME: home, EMBEDDED_IDLE: '10m', BCRYPT_ROUNDS: '4', PATH: process.env.PATH, HOME: process.env.HOME };
  });
  afterEach(async () => {
    await killAll();
    await new EmbeddedServer(home).stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('a call leaves the server up for the next (same postmaster); stop stops it and its watcher', async () => {
    const pidFile = path.join(home, 'postgres', 'data', 'postmaster.pid');
    const first = await runCli(['--demo', 'sales', '--eval', '1'], env, '', 150_000);
    expect(first.code, first.stderr).to.equal(0);
    expect(fs.existsSync(pidFile), 'lingering').to.equal(true);
    const pm = fs.readFileSync(pidFile, 'utf8').split('\n')[0];
    const watcher = new EmbeddedServer(home).idleWatcher();
    expect(watcher).to.be.a('number');
    const second = await runCli(['--demo', 'sales', '--eval', 'whoami().email'], env);
    expect(second.code, second.stderr).to.equal(0);
    expect(fs.readFileSync(pidFile, 'utf8').split('\n')[0], 'the same server').to.equal(pm);

    const stop = await runCli(['stop'], env);
    expect(stop.code, stop.stderr).to.equal(0);
    expect(stop.stdout).to.equal('The embedded database is stopped.\n');
    expect(fs.existsSync(pidFile)).to.equal(false);
    await until(() => !pidAlive(watcher!), 'the watcher to end', 5000, 100);
    expect(pidAlive(watcher!), 'watcher ended').to.equal(false);
    const again = await runCli(['stop'], env);
    expect(again.stdout).to.equal('The embedded database was not running.\n');
  });

  it('says there is nothing to stop with an external database, and refuses a bad EMBEDDED_IDLE in one line', async () => {
    const external = await runCli(['stop'], cliEnv(ctx().target.admin, home));
    expect(external.code, external.stderr).to.equal(0);
    expect(external.stdout).to.match(/^Nothing to stop: the database is an external server/);
    const bad = await runCli(['stop'], { ...env, EMBEDDED_IDLE: 'soon' });
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.equal('ConfigError: EMBEDDED_IDLE must be a duration such as 8h, 30m or 3600 (got "soon")\n');
  });
});
