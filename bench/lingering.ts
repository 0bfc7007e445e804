/**
 * Issue 33's lingering embedded server (BENCH_ONLY=lingering): in an
 * EPIC_EVENTS_HOME of its own on the embedded default (set up by the real
 * `setup`), `--eval 'whoami()'` with no shell open, right after another call
 * (the server kept running by EMBEDDED_IDLE), against the same with a shell
 * open (a lease held, here by this process). Target ≤ 1.2×. Reported too:
 * the same call with EMBEDDED_IDLE=0 (each call starts and stops the server,
 * the behaviour before issue 33) and against figure 1's external server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EmbeddedServer } from '../lib/db/embedded/index.js';
import { ADMIN_EMAIL, median, medianOf, runNode, type BenchWorld } from './harness.js';

type Ratio = (figure: string, value: number, baseline: number, maxRatio: number | undefined) => void;

const IDLE = '10m';

export async function lingeringFigures(world: BenchWorld, externalStart: number | undefined, ratioRow: Ratio, progress: (line: string) => void): Promise<void> {
  progress('lingering embedded server: setup of an embedded installation');
  const home = path.join(world.tmpDir, 'lingering');
  fs.mkdirSync(home, { mode: 0o700 });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: process.env.HOME, EPIC_EVENTS_NO_DOTENV: '1', EPIC_EVENTS_HOME: home,
    EMBEDDED_IDLE: IDLE, ADMIN_EMAIL, ADMIN_PASSWORD: world.password, BCRYPT_ROUNDS: '4',
  };
  const cli = async (args: string[], extra: NodeJS.ProcessEnv = {}, stdin?: string): Promise<number> => {
    const run = await runNode(['bin/epic-events.js', ...args], { ...env, ...extra }, stdin);
    if (run.code !== 0) throw new Error(`epic-events ${args.join(' ')} failed (exit ${run.code}): ${run.stderr.trim().slice(0, 500)}`);
    if (args.includes('whoami()') && !run.stdout.includes(ADMIN_EMAIL)) throw new Error(`whoami() printed ${run.stdout.slice(0, 200)}`);
    return run.ms;
  };
  const whoami = (extra: NodeJS.ProcessEnv = {}) => cli(['--eval', 'whoami()'], extra);
  try {
    await cli(['setup']);
    await cli(['--email', ADMIN_EMAIL, '--password-stdin', '--eval', '1'], {}, `${world.password}\n`);
    // Interleaved (one with a shell open, one without, …): a load that comes and goes weighs on both alike.
    const open: number[] = [];
    const lingering: number[] = [];
    const server = new EmbeddedServer(home, { idleSeconds: 600 });
    await whoami();
    progress('lingering embedded server: with a shell open and without, in turns');
    for (let i = 0; i < 9; i++) {
      const lease = await server.acquire();
      try {
        open.push(await whoami());
      } finally {
        await lease.release(); // the server lingers (idleSeconds)
      }
      lingering.push(await whoami());
    }
    ratioRow(`11 start-up on the embedded server, no shell open, lingering (EMBEDDED_IDLE=${IDLE}) vs a shell open`, median(lingering), median(open), 1.2);
    if (externalStart !== undefined) ratioRow('11 start-up on the embedded server, no shell open, lingering vs figure 1 (external server)', median(lingering), externalStart, undefined);
    progress('lingering embedded server: EMBEDDED_IDLE=0 (each call starts and stops it)');
    await cli(['stop']);
    const cold = await medianOf(3, () => whoami({ EMBEDDED_IDLE: '0' }));
    ratioRow('11 start-up on the embedded server, no shell open, EMBEDDED_IDLE=0 (starts and stops it) vs a shell open', cold, median(open), undefined);
  } finally {
    // `stop` ends the idle watcher too; the server itself is stopped whatever happened.
    await cli(['stop']).catch(() => undefined);
    await new EmbeddedServer(home).stop().catch(() => undefined);
  }
}
