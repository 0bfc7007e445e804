/**
 * The first management collaborator, made by setup when none exists: from
 * ADMIN_EMAIL and ADMIN_PASSWORD (each variable named when wrong), else asked
 * on a terminal in one pass, each answer checked as it is typed.
 */
import type { Config } from '../platform/config.js';
import type { AdminConnection } from '../db/index.js';
import { bind, queries } from '../db/sql.js';
import { hashPassword, passwordProblem } from '../auth/passwords.js';
import { chooseNewPassword } from '../auth/own-password.js';
import { ask, type Terminal } from '../platform/prompt.js';
import { ValidationError } from '../domain/errors.js';
import { email as validEmail, name as validName, Problems, validated } from '../crm/validate.js';

const q = queries('setup', ['managementCount'] as const);
const uq = queries('users', ['createUser', 'findUserIdByEmail'] as const);

/** The first management collaborator: their name, email and password. */
export interface FirstManager {
  fullName: string;
  email: string;
  password: string;
}

/** Create the first management collaborator unless one exists; undefined when none was made (a warning says why, when it matters). */
export async function ensureFirstManager(conn: AdminConnection, config: Config, io: { terminal?: Terminal; log: (line: string) => void }, warnings: string[]): Promise<FirstManager | undefined> {
  const existing = await conn.transaction(async (tx) => (await tx.one<{ n: number }>(q.managementCount))?.n ?? 0, { asOwner: true });
  if (existing > 0) return undefined;
  const emailTaken = (address: string) => conn.transaction(async (tx) => Boolean(await tx.one(uq.findUserIdByEmail, bind(uq.findUserIdByEmail, { email: address }))), { asOwner: true });

  let chosen: Partial<FirstManager> = { fullName: 'Administrator', email: config.adminEmail, password: config.adminPassword };
  if ((!chosen.email || !chosen.password) && io.terminal) chosen = { ...chosen, ...(await askFirstManager(io.terminal, io.log, chosen, emailTaken)) };
  const { fullName = 'Administrator', email, password } = chosen;
  if (!email || !password) {
    warnings.push('no management collaborator exists yet: set ADMIN_EMAIL and ADMIN_PASSWORD (or USER_1_PW) and run setup again');
    return undefined;
  }
  // From the environment: each variable named when it is wrong (on a terminal each answer was checked as it was typed).
  const first = validated((p) => {
    const address = validEmail(email, 'ADMIN_EMAIL', p);
    const problem = passwordProblem(password);
    if (problem) p.add('ADMIN_PASSWORD', problem);
    return { fullName, email: (address as string)?.toLowerCase(), password };
  });
  const hash = await hashPassword(first.password, config.bcryptRounds);
  await conn.transaction(async (tx) => {
    if (await tx.one(uq.findUserIdByEmail, bind(uq.findUserIdByEmail, { email: first.email }))) throw new ValidationError([{ field: 'ADMIN_EMAIL', problem: 'is already used by a collaborator of another department' }]);
    await tx.one(uq.createUser, bind(uq.createUser, { fullName: first.fullName, email: first.email, phone: null, department: 'management', passwordHash: hash, employeeNumber: null }));
  }, { asOwner: true });
  return first;
}

/**
 * Ask for the first management collaborator on a terminal, in one pass: each
 * answer is checked as it is typed, said wrong in its own words and asked
 * again (what the environment already gives is not asked). What is missing
 * at end of input stays missing.
 */
async function askFirstManager(terminal: Terminal, log: (line: string) => void, given: Partial<FirstManager>, emailTaken: (email: string) => Promise<boolean>): Promise<Partial<FirstManager>> {
  log('No management collaborator yet: creating the first one.');
  const answers: Partial<FirstManager> = {};
  for (;;) {
    const answer = await ask(terminal, `Full name [${given.fullName}]: `);
    if (answer === undefined) return answers;
    const problems = new Problems();
    const fullName = answer.trim() === '' ? given.fullName : validName(answer, 'Full name', problems);
    if (!problems.any) {
      answers.fullName = fullName;
      break;
    }
    for (const pr of problems.list) log(`${pr.field} ${pr.problem}; try again.`);
  }
  while (!given.email) {
    const answer = await ask(terminal, 'Email: ');
    if (answer === undefined) return answers;
    const problems = new Problems();
    const address = validEmail(answer, 'Email', problems)?.toLowerCase();
    if (address && (await emailTaken(address))) problems.add('Email', `${address} is already used by another collaborator`);
    if (!problems.any && address) {
      answers.email = address;
      break;
    }
    for (const pr of problems.list) log(`${pr.field} ${pr.problem}; try again.`);
  }
  if (!given.password) answers.password = await chooseNewPassword((question) => ask(terminal, question, { hidden: true }), log, 'Password');
  return answers;
}
