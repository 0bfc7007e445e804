/**
 * How a command's process ends (lib/program/commands/lifecycle.ts): whatever it holds
 * is given back on exit, on SIGHUP (exit 129) and on SIGTERM (exit 143). The
 * embedded server's lease this protects is met in spec/e2e/demo.spec.ts.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../../lib/platform/paths.js';

const lifecycle = path.join(packageRoot, 'dist', 'lib', 'program', 'commands', 'lifecycle.js');

/**
 * A process that installs releaseOnExit (its release writes `released` to
 * FILE), says "ready", then does `then`: wait for a signal, exit, or remove
 * the hooks and exit.
 */
function child(file: string, then: 'wait' | 'exit' | 'remove'): { ready: Promise<void>; exited: Promise<number | null>; kill: (s: NodeJS.Signals) => void } {
  const code = `
    const { releaseOnExit } = await import(${JSON.stringify(lifecycle)});
    const fs = await import('node:fs');
    const remove = releaseOnExit(() => fs.appendFileSync(${JSON.stringify(file)}, 'released\\n'));
    process.stdout.write('ready\\n');
    if (${JSON.stringify(then)} === 'wait') setInterval(() => undefined, 1000);
    else if (${JSON.stringify(then)} === 'remove') remove();
  `;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((resolve) => proc.stdout.on('data', (d) => String(d).includes('ready') && resolve()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
  return { ready, exited, kill: (s) => proc.kill(s) };
}

describe('commands: how the process ends (releaseOnExit)', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-lifecycle-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const released = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);

  for (const [signal, code] of [['SIGHUP', 129], ['SIGTERM', 143]] as const) {
    it(`${signal}: released, exit code ${code}`, async () => {
      const file = path.join(dir, 'released');
      const p = child(file, 'wait');
      await p.ready;
      p.kill(signal);
      expect(await p.exited).to.equal(code);
      expect(released(file)).to.be.at.least(1);
    });
  }

  it('a normal exit: released; once the hooks are removed (a normal release), not again', async () => {
    const exiting = path.join(dir, 'exiting');
    const e = child(exiting, 'exit');
    expect(await e.exited).to.equal(0);
    expect(released(exiting)).to.equal(1);
    const removed = path.join(dir, 'removed');
    const r = child(removed, 'remove');
    expect(await r.exited).to.equal(0);
    expect(released(removed)).to.equal(0);
  });
});
