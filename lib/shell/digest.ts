/**
 * The digest at login, as lines (at most five): the interactive shell prints
 * them under its greeting (lib/shell/repl.ts), never with --quiet, in
 * scripts, --eval or piped input. The figures come from lib/crm/digest.ts.
 */
import type { Department } from '../domain/departments.js';
import type { Digest } from '../crm/digest.js';
import { formatDate, formatMoney, visible } from './output.js';
import type { Login } from './login.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What a manager meets in an empty database: the first steps, collaborators then clients. */
export function firstSteps(start: NonNullable<Digest['start']>): string[] {
  return [
    'Nothing here yet. First steps:',
    start.colleagues
      ? '1. Your collaborators are there (users.list()); add more with users.create(…)'
      : "1. Create your collaborators: users.create({fullName, email, department: 'sales', password: passwordPrompt()})",
    "2. Then clients: your salespeople create theirs (clients.create), or import a file: clients.import('clients.csv')",
    'Then contracts (contracts.create) and events; help() lists everything.',
  ];
}

export function digestLines(d: Digest, department: Department): string[] {
  if (d.start && !d.start.clients) return firstSteps(d.start);
  const whose = { management: 'Events', sales: 'Events of your clients', support: 'Your events' }[department];
  const next = d.events.nextAt ? ` (next: ${d.events.nextName}, ${formatDate(new Date(d.events.nextAt))})` : '';
  const lines = [d.events.count
    ? `${whose} in the next ${d.days} days: ${d.events.count}${next}`
    : `${whose} in the next ${d.days} days: none`];
  if (d.contracts) {
    const c = d.contracts;
    const unsigned = c.unsigned ? `${c.unsigned} unsigned (${formatMoney(c.unsignedValue)})` : 'none unsigned';
    const unpaid = c.unpaid ? `${plural(c.unpaid, 'signed contract')} with ${formatMoney(c.due)} still due` : 'nothing due';
    lines.push(`${department === 'sales' ? "Your clients' contracts" : 'Contracts'}: ${unsigned}, ${unpaid}`);
  }
  if (d.followUps?.count) {
    const f = d.followUps;
    lines.push(`Follow-ups due: ${f.count} (first: ${f.firstClient}, ${f.firstNote}): followUps({due: true})`);
  }
  if (d.unassigned) {
    lines.push(d.unassigned.count
      ? `Events without a support contact: ${d.unassigned.count} (first starts ${formatDate(new Date(d.unassigned.nextAt as Date))}): events.list({unassigned: true})`
      : 'Events without a support contact: none');
  }
  if (d.contracts && (d.contracts.unsigned || d.contracts.unpaid)) lines.push('Details: reports.unpaid(), reports.pipeline()');
  // Names come from the data: never raw control characters on the terminal.
  return lines.map((line) => visible(line));
}

/** The digest for the logged-in collaborator; a failure to read it never keeps the shell from opening. */
export async function loginDigest(login: Login): Promise<string[]> {
  try {
    return digestLines(await login.digest(), login.actor().department);
  } catch {
    return [];
  }
}
