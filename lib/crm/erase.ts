/**
 * clients.erase(id) and clients.personalData(id), management only
 * (sql/migrations/028_erase.sql): a client's personal data replaced by a
 * placeholder everywhere, the history included; everything held about a
 * client as one JSON document, for a subject access request.
 */
import { bind, queries } from '../db/sql.js';
import { method, one, value, record } from './describe.js';
import { inSession, type ApiDeps } from './deps.js';
import { recordId } from './validate.js';

const q = queries('trash', ['eraseClient', 'personalData'] as const);

const ERASED = record<{ erased: number }>('Erased', { erased: ['number', "The client's id."] });

const ROWS = 'Array<Record<string, unknown>>';

const PERSONAL_DATA_RECORD = record<PersonalData>('PersonalData', {
  client: 'Record<string, unknown>', inTrash: 'boolean', contracts: ROWS, events: ROWS, followUps: ROWS, history: ROWS,
});

export const ERASE = method({
  returns: one(ERASED), departments: ['management'], writes: true, confirm: true, args: [value('id', recordId)],
  description: "replace a client's name, email, phone and company by a placeholder everywhere, history included (contracts and events stay)",
  example: 'clients.erase(1)',
});

export const PERSONAL_DATA = method({
  returns: one(PERSONAL_DATA_RECORD), departments: ['management'], writes: false, args: [value('id', recordId)],
  description: 'everything held about a client (record, contracts, events, follow-ups, history) as one JSON document',
  example: "clients.personalData(1)",
});

export interface PersonalData {
  client: Record<string, unknown>;
  inTrash: boolean;
  contracts: Array<Record<string, unknown>>;
  events: Array<Record<string, unknown>>;
  /** Its follow-ups, open or done (those kept in its trash entry when it is there). */
  followUps: Array<Record<string, unknown>>;
  history: Array<Record<string, unknown>>;
}

export function createErasure(deps: ApiDeps) {
  return {
    async erase(clientId: number): Promise<{ erased: number }> {
      await inSession(deps, (tx) => tx.exec(q.eraseClient, bind(q.eraseClient, { id: clientId })));
      return { erased: clientId };
    },

    async personalData(clientId: number): Promise<PersonalData> {
      const row = await inSession(deps, (tx) => tx.one<{ data: PersonalData }>(q.personalData, bind(q.personalData, { id: clientId })));
      return row!.data;
    },
  };
}
