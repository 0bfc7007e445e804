/**
 * The shell command: configuration → database → login → API → the REPL, or a
 * script (FILE.js, --file, --eval, piped stdin) run non-interactively.
 */
import fs from 'node:fs';
import path from 'node:path';
import { configFrom, type CliIO, type CliOptions } from './command.js';
import type { Config } from '../../platform/config.js';
import { openTarget, type DatabaseTarget } from '../../db/connect.js';
import { releaseOnExit } from './lifecycle.js';
import { AdminConnection, checkExecutor, Database, SessionPools, type Executor } from '../../db/index.js';
import { poolerGate } from '../../db/pooler.js';
import { ConfigError } from '../../domain/errors.js';
import { readAll, type Terminal } from '../../platform/prompt.js';
import { visible } from '../../platform/text.js';
import { assertUsableStateDir } from '../../platform/state.js';
import { createMonitor } from '../../platform/monitoring.js';
import { SessionWatch } from '../../auth/watch.js';
import { tokenSecret } from '../../auth/secret.js';
import { issueToken } from '../../auth/tokens.js';
import { openSessionFor } from '../../auth/sessions.js';
import { login } from '../../auth/login.js';
import type { Current } from '../session.js';
import type { ShellIO } from '../../shell/index.js';
import { insideFile, resolveUserPath, startDir } from '../../platform/user-paths.js';
import type { SetupReport } from '../provision.js';

export async function runShellCommand(opts: CliOptions, io: CliIO): Promise<number> {
  const config = configFrom(io);
  // The token store, history and embedded data live there: a bad one is one clear line now.
  assertUsableStateDir(config.stateDir);
  if (opts.demo && config.database.kind !== 'embedded') {
    throw new ConfigError('--demo runs only on the embedded database: unset DATABASE_URL and POSTGRES_* to try it');
  }
  const scripted = opts.file !== undefined || opts.eval !== undefined || !io.stdin.isTTY;
  // The front-end's modules load while the database is reached and the session checked:
  // a script's the batch runner only, the interactive shell's the REPL, completion, history…
  // So does the API behind the session (lib/program/session.ts: every object's methods), which the login does not need.
  const frontEnd = scripted ? import('../../shell/batch.js') : import('../../shell/repl.js');
  const session = import('../session.js');
  for (const loading of [frontEnd, session]) loading.catch(() => undefined); // awaited below; a failure is reported there
  // A Node.js whose REPL the shell cannot use is said now, before anyone types a password
  // (scripts make a REPL only if a statement needs one, and stop at that statement).
  if (!scripted) (await import('../../shell/repl-adapter.js')).preflightRepl();
  const quiet = opts.quiet || scripted;
  const notice = (line: string) => void io.stderr.write(`${visible(line)}\n`);
  // Relative paths are the user's: under `npm start`, the folder they typed it in, not the clone.
  const from = startDir(io.env);
  const scriptPath = opts.file !== undefined ? resolveUserPath(opts.file, from) : undefined;
  const script = scriptPath !== undefined ? readScript(opts.file as string, scriptPath) : undefined;

  const monitor = await createMonitor(config);
  let target: DatabaseTarget | undefined;
  let db: Database | undefined;
  let sessions: SessionPools | undefined;
  let watch: SessionWatch | undefined;
  // The first management collaborator, created on this terminal by the first start: the shell opens as them.
  let firstSignIn: SetupReport['signIn'];
  try {
    target = await openTarget(config, { log: quiet ? undefined : notice, onLease: releaseOnExit });
    if (opts.demo) target = await prepareDemo(config, target, notice, quiet, opts.reset === true);
    else if (target.kind === 'embedded' && (await import('../provisioned.js')).embeddedNeedsSetup(config)) {
      // First start on the embedded default (or an upgrade): provision it now,
      // asking for the first management collaborator on a terminal.
      notice('Setting up the embedded database (first start)…');
      const interactive = Boolean(io.stdin.isTTY && !scripted);
      // Setup's modules are loaded only when it runs, not at every start.
      const { runSetup } = await import('../provision.js');
      const report = await runSetup(config, target, { log: notice, terminal: interactive ? { input: io.stdin, output: io.stderr.isTTY ? io.stderr : io.stdout } : undefined });
      for (const warning of report.warnings) notice(`! ${warning}`);
      if (!opts.email) firstSignIn = report.signIn;
    }
    db = new Database(target.runtime, {
      connectTimeoutMs: config.connectTimeoutMs,
      statementTimeoutMs: config.statementTimeoutMs,
      busyWaitMs: config.busyTimeoutMs,
      dataDir: target.dataDir,
      onConnectionLost: target.revive,
    });
    const database = db;
    // A pooler in transaction mode cannot carry the shell: one line before any login (embedded: never pooled),
    // asked on the first connection the login opens, or now when a password may be asked on the terminal.
    const gate = target.kind === 'external' ? poolerGate(target.runtime, config.connectTimeoutMs) : undefined;
    const guarded = (ex: Executor) => gate?.guard(ex) ?? ex;
    if (gate && !scripted && io.stdin.isTTY) await gate.check(database);
    // Every call after the login runs as the session's own role (sql/migrations/040).
    const pools = (sessions = new SessionPools(target.runtime, {
      connectTimeoutMs: config.connectTimeoutMs,
      statementTimeoutMs: config.statementTimeoutMs,
      busyWaitMs: config.busyTimeoutMs,
      dataDir: target.dataDir,
      onConnectionLost: target.revive,
    }));

    const loggingIn: Promise<Current> = opts.demo
      ? demoLogin(config, target, opts.demo)
      : login({
          config,
          db: guarded(database),
          sessionDb: (actor) => pools.forActor(actor),
          // A stored token is checked on its session's own role, whose connection the calls use next: one connection, not two.
          tokenDb: (dbLogin) => guarded(checkExecutor(pools, () => ({ dbLogin }), database)),
          terminal: terminalOf(io),
          email: opts.email ?? firstSignIn?.email,
          passwordFromStdin: opts.passwordStdin ? await readAll(io.stdin) : firstSignIn?.password,
          interactive: !scripted && io.stdin.isTTY === true,
          monitor,
          log: notice,
        });
    loggingIn.catch(() => undefined); // awaited below
    // A script's context is made while the database answers the login (CPU in what would be a wait).
    const context = scripted ? (await (frontEnd as Promise<typeof import('../../shell/batch.js')>)).scriptContext(io.stdout) : undefined;
    const current = await loggingIn;

    // The listener counts in the session role's connection limit, not the runtime role's.
    watch = new SessionWatch({ listen: (q, onPayload) => pools.forActor(current.actor).listen(q, onPayload) });
    const { createLogin } = await session;
    const shellLogin = createLogin({ config, db: database, sessions: pools, monitor, current, watch, storeToken: !opts.demo, log: notice });
    const shellIO: ShellIO = {
      get input() {
        return io.stdin; // made at its first use (lib/program/cli.ts processIO)
      },
      output: io.stdout,
      errorOutput: io.stderr,
      historyFile: opts.demo ? undefined : path.join(config.stateDir, 'history'),
      json: opts.json,
      csv: opts.csv,
      quiet,
      color: io.stdout.isTTY === true && !io.env.NO_COLOR,
      banner: opts.demo ? demoBanner(opts.demo) : undefined,
      // The demo keeps its settings for the session and runs no start-up file.
      settingsFile: opts.demo ? undefined : path.join(config.stateDir, 'settings.json'),
      rcFile: opts.demo || opts.norc ? undefined : path.join(config.stateDir, 'rc.js'),
      startDir: from,
    };

    if (!scripted) return await (await (frontEnd as Promise<typeof import('../../shell/repl.js')>)).startShell(shellLogin, shellIO);
    const { runBatch } = await (frontEnd as Promise<typeof import('../../shell/batch.js')>);
    if (script !== undefined) {
      // Inside the script, load('x.js') is the script's neighbour.
      return await insideFile(scriptPath as string, () => runBatch(shellLogin, { code: script, filename: opts.file as string, print: 'none' }, shellIO, context));
    }
    if (opts.eval !== undefined) {
      // `--eval -`: the code from standard input, out of sight of `ps` (which shows every argument to every user).
      const code = opts.eval === '-' ? await readAll(io.stdin) : opts.eval;
      return await runBatch(shellLogin, { code, filename: '--eval', print: 'last' }, shellIO, context);
    }
    if (opts.passwordStdin) return 0; // stdin carried the password: nothing else to run
    return await runBatch(shellLogin, { code: await readAll(io.stdin), filename: '<stdin>', print: 'each' }, shellIO, context);
  } finally {
    await watch?.close().catch(() => undefined);
    await sessions?.close().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await monitor.flush(2000).catch(() => undefined);
    await target?.release().catch(() => undefined);
  }
}

/** The terminal to ask on, its input made only if something is asked. */
function terminalOf(io: CliIO): Terminal {
  return {
    get input() {
      return io.stdin;
    },
    output: io.stderr.isTTY ? io.stderr : io.stdout,
  };
}

function readScript(file: string, resolved: string): string {
  try {
    return fs.readFileSync(resolved, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

function demoBanner(department: string): string {
  return `*** DEMO *** sample data in a separate demo database; you are the ${department} demo collaborator. Nothing here is real.`;
}

/** The demo runs on its own database of the embedded server, provisioned and filled once. */
async function prepareDemo(config: Config, target: DatabaseTarget, notice: (l: string) => void, quiet: boolean, reset: boolean): Promise<DatabaseTarget> {
  const [{ runSetup }, { DEMO_DATABASE, loadDemoData }] = await Promise.all([import('../provision.js'), import('../demo.js')]);
  const demo: DatabaseTarget = {
    ...target,
    admin: { ...target.admin, database: DEMO_DATABASE },
    runtime: { ...target.runtime, database: DEMO_DATABASE },
    release: () => target.release(),
  };
  await runSetup({ ...config, adminEmail: undefined, adminPassword: undefined }, demo, { log: () => undefined });
  const conn = await AdminConnection.open(demo.admin, config.connectTimeoutMs, config.busyTimeoutMs);
  try {
    if ((await loadDemoData(conn, config.bcryptRounds, new Date(), { reset })) && (reset || !quiet)) notice(reset ? 'Demo data put back as it was first loaded.' : 'Demo data loaded.');
  } finally {
    await conn.close();
  }
  return demo;
}

async function demoLogin(config: Config, target: DatabaseTarget, department: NonNullable<CliOptions['demo']>): Promise<Current> {
  const { demoUserId } = await import('../demo.js');
  const conn = await AdminConnection.open(target.admin, config.connectTimeoutMs, config.busyTimeoutMs);
  try {
    const id = await demoUserId(conn, department);
    const { actor, installation } = await openSessionFor(conn, id, config.tokenTtlSeconds);
    return { actor, token: issueToken(tokenSecret(config), actor, installation, config.tokenTtlSeconds) };
  } finally {
    await conn.close();
  }
}
