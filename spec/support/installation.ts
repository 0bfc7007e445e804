/**
 * An installation as a collaborator's machine holds it, for the attacks of
 * spec/security: a fresh embedded installation set up by the CLI in a state
 * directory of its own, a manager (BOSS) and two sales collaborators (ALICE,
 * BOB) who replaced the passwords management gave them; the runtime role's
 * password read from `postgres/server.json` and the JWT secret from
 * `jwt-secret`, as that person could.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import { scramVerifier } from '../../lib/db/scram.js';
import { EmbeddedServer, type EmbeddedLease } from '../../lib/db/embedded/index.js';
import { runCli } from './cli.js';
import { replaceGivenPassword } from './pty.js';

export const BOSS = { email: 'boss@epic.events', password: 'boss password 123' };
export const ALICE = { email: 'alice@epic.events', password: 'alice password 123' };
export const BOB = { email: 'bob@epic.events', password: 'bob password 1234' };

/** A verifier for auth_login's fourth argument, as a raw-SQL caller would draw one (sql/migrations/040). */
export const SESSION_PASSWORD = crypto.randomBytes(18).toString('base64url');
export const VERIFIER = scramVerifier(SESSION_PASSWORD);

/** How a stored token's session role connects (its claims rol and rpw: the collaborator's own file). */
export function sessionLogin(inst: Pick<Installation, 'runtime'>, token: string): pg.ClientConfig {
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { rol: string; rpw: string };
  return { ...inst.runtime, user: payload.rol, password: payload.rpw };
}

export interface Installation {
  home: string;
  /** The test's own lease on the embedded server: it runs until the test lets go. */
  lease: EmbeddedLease;
  env: NodeJS.ProcessEnv;
  runtime: pg.ClientConfig;
  superuser: pg.ClientConfig;
  jwtSecret: string;
}

export async function newInstallation(): Promise<Installation> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-attack-'));
  fs.chmodSync(home, 0o700);
  const lease = await new EmbeddedServer(home, { durable: false }).acquire();
  const env: NodeJS.ProcessEnv = {
    EPIC_EVENTS_NO_DOTENV: '1', EPIC_EVENTS_HOME: home, EMBEDDED_IDLE: '0', BCRYPT_ROUNDS: '4', TOKEN_TTL: '1h',
    ADMIN_EMAIL: BOSS.email, ADMIN_PASSWORD: BOSS.password, PATH: process.env.PATH, HOME: process.env.HOME,
  };
  const setup = await runCli(['setup'], env, '', 120_000);
  if (setup.code !== 0) throw new Error(`setup failed: ${setup.stderr}`);
  const given = (who: typeof ALICE) => `${who.password} given by management`;
  const create = (who: typeof ALICE, department: string) =>
    `users.create({fullName: '${who.email}', email: '${who.email}', department: '${department}', password: '${given(who)}'})`;
  const made = await runCli(['--email', BOSS.email, '--password-stdin', '--eval', `${create(ALICE, 'sales')}; ${create(BOB, 'sales')}`], env, `${BOSS.password}\n`);
  if (made.code !== 0) throw new Error(`creating collaborators failed: ${made.stderr}`);
  // Each replaces the password management gave at the first login, on a terminal.
  for (const who of [ALICE, BOB]) await replaceGivenPassword(env, who.email, given(who), who.password);
  // What the collaborator's own machine holds.
  const server = JSON.parse(fs.readFileSync(path.join(home, 'postgres', 'server.json'), 'utf8')) as { port: number; appPassword: string; superuserPassword: string };
  const base = { host: '127.0.0.1', port: server.port, database: 'epic_events' };
  return {
    home,
    lease,
    env,
    runtime: { ...base, user: 'epic_app', password: server.appPassword },
    superuser: { ...base, user: 'postgres', password: server.superuserPassword },
    jwtSecret: fs.readFileSync(path.join(home, 'jwt-secret'), 'utf8').trim(),
  };
}

export async function withClient<T>(config: pg.ClientConfig, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The SQLSTATE a statement fails with, or the rows it returned. */
export async function attempt(c: pg.Client, text: string, values: unknown[] = []): Promise<{ code?: string; rows: Record<string, unknown>[]; rowCount: number }> {
  try {
    const r = await c.query(text, values);
    return { rows: r.rows, rowCount: r.rowCount ?? 0 };
  } catch (err) {
    return { code: (err as { code?: string }).code ?? String(err), rows: [], rowCount: 0 };
  }
}

