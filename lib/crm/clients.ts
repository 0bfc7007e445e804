/**
 * clients: list/get for everyone, create for sales (the caller becomes the
 * sales contact), update for sales on their own clients only. CLIENTS below
 * describes each method; the department check is the guard's (lib/crm/guard.ts),
 * ownership is checked here, against the locked row, inside the write's transaction.
 */
import { bind, queries } from '../db/sql.js';
import { NotFound } from '../errors.js';
import { EVERYONE, fields, may, method, need, readArgs, value, type ObjectDescription } from './describe.js';
import { historyDescription, historyMethod } from './history.js';
import { inSession, inSessionStatement, missingOrRefused, recordById, type ApiDeps } from './deps.js';
import { assertOwnership } from './ownership.js';
import { DEFAULT_PAGE_SIZE, makePage, type Page } from './page.js';
import {
  containsPattern, email, flag, name, optionalName, pageLimitField, phone, recordId, text, validated, type Problems,
} from './validate.js';

const q = queries('clients', ['getClient', 'listClients', 'searchClients', 'createClient', 'lockClient', 'peekClient', 'updateClient'] as const);

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

export interface ClientFilters {
  mine?: boolean;
  search?: string;
  salesContactId?: number;
  unassigned?: boolean;
  limit?: number;
}

export interface NewClient {
  fullName: string;
  email: string;
  phone?: string | null;
  companyName?: string | null;
}

export type ClientChanges = Partial<NewClient>;

/** The client as an update checks it: its fields and the sales contact's email (for the refusal message). */
type LockedClient = Omit<Client, 'salesContactName' | 'createdAt' | 'updatedAt'> & { salesContactEmail: string | null };

const search = (v: unknown, field: string, p: Problems) => text(v, field, p, { max: 200, singleLine: true });
const DETAILS = { fullName: need(name), email: need(email), phone: may(phone), companyName: may(optionalName) };
const CHANGES = { fullName: may(name), email: may(email), phone: may(phone), companyName: may(optionalName) };

/** The clients methods: who may call each, its arguments and its help (lib/crm/describe.ts). */
export const CLIENTS = {
  list: method({
    departments: EVERYONE, writes: false,
    args: [fields('filters', { mine: may(flag), search: may(search), salesContactId: may(recordId), unassigned: may(flag), limit: may(pageLimitField) }, { optional: true })],
    description: 'clients, a page at a time (search matches name, email and company)',
    example: "clients.list({search: 'startup'})",
  }),
  get: method({ departments: EVERYONE, writes: false, args: [value('id', recordId)], description: 'one client', example: 'clients.get(1)' }),
  create: method({
    departments: ['sales'], writes: true,
    args: [fields('client', DETAILS, { hints: { salesContactId: 'cannot be given: you become the sales contact of the clients you create' } })],
    description: 'a new client; you become its sales contact',
    example: "clients.create({fullName: 'Kevin Casey', email: 'kevin@startup.io', phone: '+678 123 456 78', companyName: 'Cool Startup LLC'})",
  }),
  update: method({
    departments: ['sales'], ownership: { sales: 'ownClient' }, writes: true,
    args: [value('id', recordId), fields('changes', CHANGES, {
      atLeastOne: true,
      hints: { salesContactId: 'cannot be changed here (the sales contact is whoever created the client; users.delete reassigns)' },
    })],
    description: 'change one of your clients (stamps the last contact)',
    example: "clients.update(1, {phone: '+678 123 456 79'})",
  }),
  history: historyDescription('client', EVERYONE),
} satisfies ObjectDescription;

export function createClients(deps: ApiDeps) {
  function get(id: number): Promise<Client> {
    return recordById<Client>(deps, q.getClient, id, 'client');
  }

  async function list(filters?: ClientFilters): Promise<Page<Client>> {
    const actor = deps.actor();
    const params = validated((p) => {
      const [f] = readArgs(CLIENTS.list, [filters], p);
      let salesContactId = f.salesContactId ?? null;
      if (f.mine) {
        if (salesContactId !== null && salesContactId !== actor.id) p.add('salesContactId', 'contradicts mine: true (which means your own clients)');
        salesContactId = actor.id;
      }
      return {
        limit: f.limit ?? DEFAULT_PAGE_SIZE,
        salesContactId,
        unassigned: f.unassigned,
        pattern: f.search ? containsPattern(f.search) : null,
        // Trigram indexes need 3 characters to narrow anything down.
        indexedSearch: f.search !== undefined && [...f.search].length >= 3,
      };
    });
    const query = params.indexedSearch ? q.searchClients : q.listClients;
    const fetchAfter = async (afterId: number): Promise<Page<Client>> => {
      const { limit, salesContactId, unassigned, pattern } = params;
      const rows = await inSession(deps, (tx) => tx.many<Client>(query, bind(query, { afterId, limit: limit + 1, salesContactId, unassigned, pattern })), { readOnly: true });
      return makePage('clients', rows, limit, fetchAfter);
    };
    return fetchAfter(0);
  }

  async function create(client: NewClient): Promise<Client> {
    const actor = deps.actor();
    const [f] = validated((p) => readArgs(CLIENTS.create, [client], p));
    // One statement inserts and returns the record: one round trip per created client.
    const [row] = await inSessionStatement<Client>(deps, q.createClient, bind(q.createClient, { ...f, salesContactId: actor.id }));
    return row;
  }

  async function update(id: number, changes: ClientChanges): Promise<Client> {
    const actor = deps.actor();
    const [clientId, next] = validated((p) => readArgs(CLIENTS.update, [id, changes], p));
    const mayChange = (row: LockedClient) => assertOwnership(CLIENTS.update, actor, row, 'update');
    await inSession(deps, async (tx) => {
      const current = (await tx.one<LockedClient>(q.lockClient, [clientId]))
        ?? (await missingOrRefused<LockedClient>(tx, q.peekClient, clientId, () => new NotFound(`no client has id ${clientId}`), mayChange));
      mayChange(current);
      await tx.exec(q.updateClient, bind(q.updateClient, {
        id: clientId,
        fullName: next.fullName ?? current.fullName,
        email: next.email ?? current.email,
        phone: next.phone === undefined ? current.phone : next.phone,
        companyName: next.companyName === undefined ? current.companyName : next.companyName,
      }));
    });
    return get(clientId);
  }

  /** Who changed this client and when (sql/migrations/007_change_log.sql). */
  const history = historyMethod(deps, 'client', get);

  return { list, get, create, update, history };
}

export type Clients = ReturnType<typeof createClients>;
