/**
 * find(text): one search over clients (name, email, phone, company), their
 * contracts, and events (name, location, notes); every word anywhere, any
 * order, any case or accent, phone numbers by their digits (the matching of
 * the lists' `search`, lib/crm/list-filters.ts searchWords and sql/search.sql).
 * Read under the caller's row policies like every other read.
 */
import { bind, queries } from '../db/sql.js';
import { EVERYONE, method, value, one, record } from './describe.js';
import { inSession, type ApiDeps } from './deps.js';
import { type Problems } from './validate.js';
import { isWholePhone, searchWords } from './list-filters.js';
import { phoneE164 } from './phone.js';

const q = queries('search', ['find'] as const);

/** Rows shown per kind. */
export const FIND_LIMIT = 10;

/** What find() searches for: the words, and the number in E.164 when the whole text is a phone number. */
export interface FindText { words: string[]; phone: string | null }

/** find()'s text read: searchWords, plus the phone number it may be in any form (06 01 02 03 04 = +33 6 01 02 03 04). */
export function findText(value: unknown, field: string, problems: Problems): FindText | undefined {
  const words = searchWords(value, field, problems);
  if (words === undefined) return undefined;
  const text = value as string;
  return { words, phone: isWholePhone(text) ? phoneE164(text) : null };
}

export interface FoundClient { id: number; fullName: string; email: string; phone: string | null; companyName: string | null; salesContactName: string | null }
export interface FoundContract { id: number; clientId: number; clientName: string; totalAmount: string; amountDue: string; signed: boolean; createdAt: Date }
export interface FoundEvent { id: number; name: string; startAt: Date; location: string; clientName: string; supportContactName: string | null }

/** What find() returns: rows grouped by kind (each at most FIND_LIMIT), and whether each kind had more. */
export interface Found {
  clients: FoundClient[];
  contracts: FoundContract[];
  events: FoundEvent[];
  /** Kinds with more matches than shown. */
  more: Array<'clients' | 'contracts' | 'events'>;
}

/** The fields of a record listed, as a TypeScript Pick of its interface. */
const pick = <T>(name: string, fields: { readonly [K in keyof Required<T>]: true }) => `Array<Pick<${name}, ${Object.keys(fields).map((f) => `'${f}'`).join(' | ')}>>`;

const FOUND = record<Found>('Found', {
  clients: pick<FoundClient>('Client', { id: true, fullName: true, email: true, phone: true, companyName: true, salesContactName: true }),
  contracts: pick<FoundContract>('Contract', { id: true, clientId: true, clientName: true, totalAmount: true, amountDue: true, signed: true, createdAt: true }),
  events: pick<FoundEvent>('EpicEvent', { id: true, name: true, startAt: true, location: true, clientName: true, supportContactName: true }),
  more: ["Array<'clients' | 'contracts' | 'events'>", 'Kinds with more matches than shown.'],
});

/** find(): not an object's method, but described all the same (help, validation). */
export const FIND = method({
  returns: one(FOUND), departments: EVERYONE, writes: false,
  args: [value('text', findText)],
  description: 'clients, contracts and events matching every word (any order, case or accent; phones by digits)',
  example: "find('casey kevin')",
});

/** The row of sql/search.sql find: each kind as a JSON array. */
interface FoundRows {
  clients: FoundClient[];
  contracts: Array<Omit<FoundContract, 'createdAt'> & { createdAt: string }>;
  events: Array<Omit<FoundEvent, 'startAt'> & { startAt: string }>;
}

export function isFound(value: unknown): value is Found {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'found';
}

export function createFind(deps: ApiDeps) {
  return async function find({ words, phone }: FindText): Promise<Found> {
    const row = await inSession(deps, (tx) => tx.one<FoundRows>(q.find, bind(q.find, { words, limit: FIND_LIMIT + 1, phone })));
    const { clients } = row as FoundRows;
    // Timestamps come back as JSON text: Dates again, as every record has them.
    const contracts = (row as FoundRows).contracts.map((k) => ({ ...k, createdAt: new Date(k.createdAt) }));
    const events = (row as FoundRows).events.map((e) => ({ ...e, startAt: new Date(e.startAt) }));
    const more = ([['clients', clients], ['contracts', contracts], ['events', events]] as const).filter(([, rows]) => rows.length > FIND_LIMIT).map(([kind]) => kind);
    const found: Found = { clients: clients.slice(0, FIND_LIMIT), contracts: contracts.slice(0, FIND_LIMIT), events: events.slice(0, FIND_LIMIT), more };
    // The shell prints it grouped by kind (lib/shell/output.ts); JSON shows only the rows.
    Object.defineProperty(found, 'kind', { value: 'found', enumerable: false });
    return found;
  };
}
