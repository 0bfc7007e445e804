/**
 * clients.erase(id) and clients.personalData(id), management only
 * (sql/migrations/028_erase.sql): a client's personal data replaced by a
 * placeholder everywhere, the history included; everything held about a
 * client as one JSON document, for a subject access request.
 */
import { bind, queries } from '../db/sql.js';
import { method, readArgs, value } from './describe.js';
import { inSession, type ApiDeps } from './deps.js';
import { recordId, validated } from './validate.js';

const q = queries('trash', ['eraseClient', 'personalData'] as const);

export const ERASE = method({
  departments: ['management'], writes: true, args: [value('id', recordId)],
  description: "replace a client's name, email, phone and company by a placeholder everywhere, history included (contracts and events stay)",
  example: 'clients.erase(1)',
});

export const PERSONAL_DATA = method({
  departments: ['management'], writes: false, args: [value('id', recordId)],
  description: 'everything held about a client (record, contracts, events, history) as one JSON document',
  example: "clients.personalData(1)",
});

export interface PersonalData {
  client: Record<string, unknown>;
  inTrash: boolean;
  contracts: Array<Record<string, unknown>>;
  events: Array<Record<string, unknown>>;
  history: Array<Record<string, unknown>>;
}

export function createErasure(deps: ApiDeps) {
  return {
    async erase(id: number): Promise<{ erased: number }> {
      const [clientId] = validated((p) => readArgs(ERASE, [id], p));
      await inSession(deps, (tx) => tx.exec(q.eraseClient, bind(q.eraseClient, { id: clientId })));
      return { erased: clientId };
    },

    async personalData(id: number): Promise<PersonalData> {
      const [clientId] = validated((p) => readArgs(PERSONAL_DATA, [id], p));
      const row = await inSession(deps, (tx) => tx.one<{ data: PersonalData }>(q.personalData, bind(q.personalData, { id: clientId })), { readOnly: true });
      return row!.data;
    },
  };
}
