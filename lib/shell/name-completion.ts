/**
 * Tab completion that knows the data: after part of a name where an argument
 * takes a client or a collaborator, Tab offers their ids with the name as a
 * comment — `events.assign(4, kat` + Tab → `events.assign(4, 4 /* Kate Hastroff *\/`.
 * Which arguments take what is read from the method descriptions (the
 * argument's or key's name); the candidates come from one indexed statement
 * under the caller's session (lib/crm/candidates.ts), at most 20. Tab never
 * waits on it longer than WAIT_MS: a late answer offers nothing.
 */
import { DESCRIPTIONS } from '../crm/api.js';
import type { Candidate, CandidateKind, Candidates } from '../crm/candidates.js';
import { OBJECTS, type ObjectName } from '../crm/objects.js';
import type { Completion } from './repl-adapter.js';
import { visible } from './output.js';

/** The longest Tab waits for candidates. */
export const WAIT_MS = 50;

/** What an argument or key names, by its name in the descriptions. */
const BY_NAME: Readonly<Record<string, CandidateKind>> = {
  salesUserId: { of: 'collaborator', department: 'sales' },
  supportUserId: { of: 'collaborator', department: 'support' },
  salesContactId: { of: 'collaborator', department: 'sales' },
  supportContactId: { of: 'collaborator', department: 'support' },
  reassignTo: { of: 'collaborator' },
  clientId: { of: 'client' },
  idOrEmail: { of: 'collaborator' },
};

/** An object's own `id` argument: the record it is about. */
const OWN_ID: Partial<Record<ObjectName, CandidateKind>> = { clients: { of: 'client' }, users: { of: 'collaborator' } };

const CALL_RE = new RegExp(`(?:^|[^\\w$.])(${OBJECTS.join('|')})\\.([\\w$]+)\\(`, 'g');
/** A name being typed: a word of letters (no digit first, no quote). */
const PARTIAL_RE = /(?:^|[\s,({:])([A-Za-z\u00C0-\u024F][\w\u00C0-\u024F'-]*)$/;

export interface NamePosition {
  kind: CandidateKind;
  partial: string;
}

/** Where the line ends inside a call: the argument index and the key (inside `{…}`) being typed, or undefined. */
function argumentAt(args: string): { index: number; key?: string } | undefined {
  let depth = 0;
  let index = 0;
  let quote: string | undefined;
  let braceKey: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const c = args[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return undefined; // the call is closed
      depth--;
    } else if (c === ',' && depth === 0) index++;
  }
  if (quote) return undefined;
  if (depth === 1) {
    const key = /[{,]\s*([\w$]+)\s*:\s*[^,{}]*$/.exec(args)?.[1];
    braceKey = key;
    return braceKey ? { index, key: braceKey } : undefined;
  }
  return depth === 0 ? { index } : undefined;
}

/** The client or collaborator argument the line ends in, with the part of a name typed; undefined elsewhere. */
export function namePosition(line: string): NamePosition | undefined {
  const partial = PARTIAL_RE.exec(line)?.[1];
  if (!partial) return undefined;
  let last: RegExpExecArray | undefined;
  for (const m of line.matchAll(CALL_RE)) last = m as RegExpExecArray;
  if (!last) return undefined;
  const object = last[1] as ObjectName;
  const description = Object.prototype.hasOwnProperty.call(DESCRIPTIONS[object], last[2]) ? DESCRIPTIONS[object][last[2]] : undefined;
  if (!description) return undefined;
  const at = argumentAt(line.slice((last.index ?? 0) + last[0].length));
  if (!at) return undefined;
  const arg = description.args[at.index];
  if (!arg) return undefined;
  let kind: CandidateKind | undefined;
  if (at.key !== undefined) kind = arg.kind === 'fields' && at.key in arg.schema ? BY_NAME[at.key] : undefined;
  else if (arg.kind === 'value') kind = arg.name === 'id' ? OWN_ID[object] : BY_NAME[arg.name];
  return kind ? { kind, partial } : undefined;
}

/** One candidate as Tab inserts it: the id, the name as a comment that cannot end early or drive the terminal. */
export function candidateText(c: Candidate): string {
  return `${c.id} /* ${visible(c.name).replace(/\*\//g, '* /')} */`;
}

/**
 * Completion of a name argument: undefined when the line is not at one (or
 * nothing matched in time), so other completion goes on.
 */
export async function completeName(line: string, candidates: Candidates | undefined, waitMs = WAIT_MS): Promise<Completion | undefined> {
  const at = candidates && namePosition(line);
  if (!at || !candidates) return undefined;
  const key = JSON.stringify([at.kind, at.partial]);
  // An answer that came too late for the last Tab serves the next one.
  let rows = lateAnswers.get(candidates)?.key === key ? lateAnswers.get(candidates)?.rows : undefined;
  if (!rows) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)));
    const found = candidates(at.kind, at.partial).catch(() => undefined);
    rows = await Promise.race([found, late]).finally(() => clearTimeout(timer));
    if (!rows) void found.then((r) => r && lateAnswers.set(candidates, { key, rows: r }));
  }
  lateAnswers.delete(candidates);
  if (!rows || rows.length === 0) return undefined;
  return [rows.map(candidateText), at.partial];
}

/** The answer that arrived after its Tab had given up, per shell: the same Tab again gets it at once. */
const lateAnswers = new WeakMap<Candidates, { key: string; rows: Candidate[] }>();

type ShellCompleter<N> = (line: string, node: N) => Promise<Completion>;

/** The shell's completer with names first: a line at a name argument gets its candidates, any other line `complete`. */
export function withNames<N>(complete: ShellCompleter<N>, candidates: () => Candidates | undefined): ShellCompleter<N> {
  return async (line, node) => (await completeName(line, candidates())) ?? complete(line, node);
}
