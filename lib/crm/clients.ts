/**
 * clients: list/get for everyone, create for sales (the caller becomes the
 * sales contact), update for sales on their own clients only. CLIENTS below
 * describes each method; the department and the arguments are checked by the
 * call pipeline (lib/crm/invoke.ts), ownership here, against the locked row,
 * inside the write's transaction.
 */
import { bind, queries } from '../db/sql.js';
import { NotFound, ValidationError } from '../domain/errors.js';
import { EVERYONE, fields, may, method, need, value, type ObjectDescription, type Values, one, pageOf, typed, record } from './describe.js';
import { historyDescription, historyMethod } from './history.js';
import { IMPORT, importClients } from './import.js';
import { FOLLOW_UP, followUpMethod } from './follow-ups.js';
import { inSession, inSessionStatement, missingOrRefused, recordById, type ApiDeps } from './deps.js';
import { assertOwnership } from './ownership.js';
import { createErasure, ERASE, PERSONAL_DATA } from './erase.js';
import { trashDescriptions, trashMethods } from './trash.js';
import { createUndo, UNDO_IMPORT } from './undo.js';
import { DEFAULT_PAGE_SIZE, type Page } from './page.js';
import { BY_ID, keysetPage, sortField, sortHelp } from './sort.js';
import { email, flag, name, nullOr, optionalName, phone, recordId, type Problems } from './validate.js';
import { pageLimitField, searchWords } from './list-filters.js';
import type { Actor } from '../domain/actor.js';
import { phoneE164 } from './phone.js';

const q = queries('clients', [
  'getClient', 'listClients', 'searchClients', 'countClients', 'createClient', 'lockClient', 'peekClient', 'updateClient', 'lockSalesCandidate', 'assignClient',
] as const);

export interface Client {
  id: number;
  fullName: string;
  email: string;
  phone: string | null;
  companyName: string | null;
  salesContactId: number | null;
  salesContactName: string | null;
  /** First contact. */
  createdAt: Date;
  /** Last update/contact. */
  updatedAt: Date;
}

/** A client as methods return it (lib/crm/describe.ts `record`; `epic-events types` declares it from this). */
const CLIENT = record<Client>('Client', {
  id: 'number', fullName: 'string', email: 'string', phone: 'string | null', companyName: 'string | null',
  salesContactId: 'number | null', salesContactName: 'string | null', createdAt: ['Date', 'First contact.'], updatedAt: ['Date', 'Last update/contact.'],
});

/** The client as an update checks it: its fields and the sales contact's email (for the refusal message). */
type LockedClient = Omit<Client, 'salesContactName' | 'createdAt' | 'updatedAt'> & { salesContactEmail: string | null };

/** clients.delete and clients.restore: who may update a client (sales their own; management, who assigns them). */
const CLIENT_TRASH = trashDescriptions('client', ['management', 'sales'], CLIENT);

const DETAILS = { fullName: need(name), email: need(email), phone: may(phone), companyName: may(optionalName) };
const CHANGES = { fullName: may(name), email: may(email), phone: may(phone), companyName: may(optionalName) };

/** What clients sort by (each column has an index on (column, id), sql/migrations/008). */
export const CLIENT_SORT = { fullName: 'full_name', createdAt: 'created_at', updatedAt: 'updated_at', id: 'id' } as const;

/** The filters of clients.list and clients.count. */
const CLIENT_FILTERS = { mine: may(flag), search: may(searchWords), salesContactId: may(recordId), unassigned: may(flag) };

/** A mine: true filter that names another collaborator's salesContactId. */
function checkMine([f]: readonly [{ mine?: boolean; salesContactId?: number } | undefined], p: Problems, actor: Actor): void {
  if (f?.mine && f.salesContactId !== undefined && f.salesContactId !== actor.id) p.add('salesContactId', 'contradicts mine: true (which means your own clients)');
}

/** The clients methods: who may call each, its arguments and its help (lib/crm/describe.ts). */
export const CLIENTS = {
  list: method({
    returns: pageOf(CLIENT), departments: EVERYONE, writes: false,
    args: [fields('filters', { ...CLIENT_FILTERS, sort: may(sortField(CLIENT_SORT)), limit: may(pageLimitField) }, { optional: true })],
    check: checkMine,
    description: `clients, a page at a time (search: every word in name, email, company or phone, any case or accent; ${sortHelp(CLIENT_SORT)})`,
    example: "clients.list({search: 'startup', sort: '-updatedAt'})",
  }),
  count: method({
    returns: typed('number'), departments: EVERYONE, writes: false,
    args: [fields('filters', CLIENT_FILTERS, { optional: true })],
    check: checkMine,
    description: 'how many clients clients.list lists with these filters',
    example: 'clients.count({mine: true})',
  }),
  get: method({ returns: one(CLIENT), departments: EVERYONE, writes: false, args: [value('id', recordId)], description: 'one client', example: 'clients.get(1)' }),
  create: method({
    returns: one(CLIENT), departments: ['sales'], writes: true,
    args: [fields('client', DETAILS, { hints: { salesContactId: 'cannot be given: you become the sales contact of the clients you create' } })],
    description: 'a new client; you become its sales contact',
    example: "clients.create({fullName: 'Kevin Casey', email: 'kevin@startup.io', phone: '+678 123 456 78', companyName: 'Cool Startup LLC'})",
  }),
  update: method({
    returns: one(CLIENT), departments: ['sales'], ownership: { sales: 'ownClient' }, writes: true,
    args: [value('id', recordId), fields('changes', CHANGES, {
      atLeastOne: true,
      hints: { salesContactId: 'cannot be changed here: management gives a client another sales contact with clients.assign(id, salesUserId)' },
    })],
    description: 'change one of your clients (stamps the last contact)',
    example: "clients.update(1, {phone: '+678 123 456 79'})",
  }),
  assign: method({
    returns: one(CLIENT), departments: ['management'], writes: true, args: [value('id', recordId), value('salesUserId', nullOr(recordId))],
    description: "set a client's sales contact (a sales collaborator; null leaves it unassigned)", example: 'clients.assign(1, 3)',
  }),
  history: historyDescription('client', EVERYONE),
  import: IMPORT,
  followUp: FOLLOW_UP,
  undoImport: UNDO_IMPORT,
  ...CLIENT_TRASH,
  erase: ERASE,
  personalData: PERSONAL_DATA,
} satisfies ObjectDescription;

export function createClients(deps: ApiDeps) {
  function get(id: number): Promise<Client> {
    return recordById<Client>(deps, q.getClient, id, 'client');
  }

  /** The query's filters from the call's (shared by list and count; `mine` checked by checkMine). */
  function filterParams(f: { mine?: boolean; salesContactId?: number; unassigned?: boolean; search?: string[] }) {
    return { salesContactId: f.mine ? deps.actor().id : f.salesContactId ?? null, unassigned: f.unassigned, words: f.search ?? null };
  }

  async function list(f: Values<typeof CLIENTS.list>[0]): Promise<Page<Client>> {
    const { words, ...rest } = filterParams(f);
    const sort = f.sort ?? BY_ID;
    const limit = f.limit ?? DEFAULT_PAGE_SIZE;
    return words
      ? keysetPage<Client>(deps, 'clients', q.searchClients, sort, limit, (k) => bind(q.searchClients, { ...rest, words, ...k }))
      : keysetPage<Client>(deps, 'clients', q.listClients, sort, limit, (k) => bind(q.listClients, { ...rest, ...k }));
  }

  async function count(f: Values<typeof CLIENTS.count>[0]): Promise<number> {
    const [row] = await inSessionStatement<{ count: number }>(deps, q.countClients, bind(q.countClients, filterParams(f)));
    return row.count;
  }

  async function create(f: Values<typeof CLIENTS.create>[0]): Promise<Client> {
    const actor = deps.actor();
    // One statement inserts and returns the record: one round trip per created client.
    const [row] = await inSessionStatement<Client>(deps, q.createClient, bind(q.createClient, { ...f, salesContactId: actor.id, phoneE164: phoneE164(f.phone) }));
    return row;
  }

  async function update(clientId: number, next: Values<typeof CLIENTS.update>[1]): Promise<Client> {
    const actor = deps.actor();
    const mayChange = (row: LockedClient) => assertOwnership(CLIENTS.update, actor, row, 'update');
    // The update returns the record as it left it (sql/clients.sql updateClient): no second read.
    const updated = await inSession(deps, async (tx) => {
      const current = (await tx.one<LockedClient>(q.lockClient, bind(q.lockClient, { id: clientId })))
        ?? (await missingOrRefused<LockedClient>(tx, q.peekClient, clientId, () => new NotFound(`no client has id ${clientId}`), mayChange));
      mayChange(current);
      const phone = next.phone === undefined ? current.phone : next.phone;
      return tx.one<Client>(q.updateClient, bind(q.updateClient, {
        id: clientId,
        fullName: next.fullName ?? current.fullName,
        email: next.email ?? current.email,
        phone,
        companyName: next.companyName === undefined ? current.companyName : next.companyName,
        phoneE164: phoneE164(phone),
      }));
    });
    return written(updated, clientId);
  }

  /** The row an update returned, or NotFound as get would say it. */
  function written(row: Client | undefined, clientId: number): Client {
    if (!row) throw new NotFound(`no client has id ${clientId}`);
    return row;
  }

  /** Who changed this client and when (sql/migrations/007_change_log.sql). */
  const history = historyMethod(deps, 'client', get);

  /** Management gives a client a sales contact (or none): the target must be in sales (checked by PostgreSQL too, 003). */
  async function assign(clientId: number, userId: number | null): Promise<Client> {
    const assigned = await inSession(deps, async (tx) => {
      if (!(await tx.one(q.lockClient, bind(q.lockClient, { id: clientId })))) throw new NotFound(`no client ${clientId}`);
      if (userId !== null) {
        const target = await tx.one<{ email: string; department: string }>(q.lockSalesCandidate, bind(q.lockSalesCandidate, { id: userId }));
        if (!target) throw new ValidationError([{ field: 'salesUserId', problem: `must be a sales collaborator's id (no collaborator has id ${userId})` }]);
        if (target.department !== 'sales') {
          throw new ValidationError([{ field: 'salesUserId', problem: `must be a sales collaborator (${target.email} is in ${target.department})` }]);
        }
      }
      return tx.one<Client>(q.assignClient, bind(q.assignClient, { id: clientId, salesContactId: userId }));
    });
    return written(assigned, clientId);
  }

  /** Clients from a CSV file, all or nothing (lib/crm/import.ts), checked with create's own validators. */
  const importFile = importClients(deps, CLIENTS.create);

  const trashed = trashMethods(deps, 'client', CLIENT_TRASH, get);
  const { erase, personalData } = createErasure(deps);
  const { undoImport } = createUndo(deps);

  return { list, count, get, create, update, assign, history, import: importFile, undoImport, ...trashed, erase, personalData, followUp: followUpMethod(deps) };
}

export type Clients = ReturnType<typeof createClients>;
