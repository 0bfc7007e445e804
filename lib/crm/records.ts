/**
 * The records methods return, described once (lib/crm/describe.ts `record`):
 * each description names every field of the implementation's own type
 * (TypeScript refuses a field missing or extra), and the method descriptions
 * say which they return (`returns`). `epic-events types` writes its
 * interfaces from these (lib/shell/declarations.ts): a field added here is
 * in the declarations of the next `epic-events types`.
 */
import type { Client } from './clients.js';
import type { Contract } from './contracts.js';
import type { Event } from './events.js';
import type { DeletedUser, SessionRecord, UpdatedUser, UserRecord } from './users.js';
import type { FollowUp } from './follow-ups.js';
import type { HistoryEntry } from './history.js';
import type { Found, FoundClient, FoundContract, FoundEvent } from './find.js';
import type { ImportReport } from './import.js';
import type { Debtor, PipelineLine, RevenueByClient, RevenueByMonth, RevenueBySalesContact } from './reports.js';
import type { TrashEntry } from './trash.js';
import type { UndoImportResult, UndoResult } from './undo.js';
import type { PersonalData } from './erase.js';
import { record } from './describe.js';

const DEPARTMENT = "'management' | 'sales' | 'support'";

export const CLIENT = record<Client>('Client', {
  id: 'number', fullName: 'string', email: 'string', phone: 'string | null', companyName: 'string | null',
  salesContactId: 'number | null', salesContactName: 'string | null', createdAt: ['Date', 'First contact.'], updatedAt: ['Date', 'Last update/contact.'],
});

export const CONTRACT = record<Contract>('Contract', {
  id: 'number', clientId: 'number', clientName: 'string', clientEmail: 'string', clientPhone: 'string | null',
  salesContactId: ['number | null', "The client's sales contact."], salesContactName: 'string | null',
  totalAmount: ['string', "Exact, two decimals: '1500.00'."], amountDue: 'string', signed: 'boolean', signedAt: 'Date | null',
  createdAt: 'Date', updatedAt: 'Date',
});

export const EVENT = record<Event>('EpicEvent', {
  id: 'number', name: 'string', contractId: 'number', clientName: 'string', clientEmail: 'string', clientPhone: 'string | null',
  startAt: 'Date', endAt: 'Date', supportContactId: 'number | null', supportContactName: 'string | null',
  location: 'string', attendees: 'number', notes: 'string | null', createdAt: 'Date', updatedAt: 'Date',
});

const COLLABORATOR_FIELDS = {
  id: 'number', employeeNumber: 'string', fullName: 'string', email: 'string', phone: 'string | null',
  department: DEPARTMENT, createdAt: 'Date', updatedAt: 'Date',
} as const;

export const COLLABORATOR = record<UserRecord>('Collaborator', COLLABORATOR_FIELDS);

export const UPDATED_COLLABORATOR = record<UpdatedUser>('UpdatedCollaborator', {
  ...COLLABORATOR_FIELDS,
  moved: ['{ clients: number; events: number; to: { id: number; fullName: string } | null }', 'What a department change moved, and to whom (null: left unassigned).', 'optional'],
});

export const SESSION = record<SessionRecord>('OpenSession', {
  id: 'number', createdAt: 'Date', expiresAt: 'Date', current: ['boolean', 'The session this shell runs on.'],
});

export const FOLLOW_UP_RECORD = record<FollowUp>('FollowUp', {
  id: 'number', clientId: 'number', clientName: 'string', dueAt: 'Date', note: 'string', setById: 'number | null',
  setByName: 'string | null', createdAt: 'Date', doneAt: 'Date | null', doneByName: 'string | null',
});

export const HISTORY_ENTRY = record<HistoryEntry>('HistoryEntry', {
  id: 'number', at: 'Date', actorId: 'number | null', actorName: 'string', object: "'client' | 'contract' | 'event' | 'user'",
  recordId: 'number | null', action: 'string', changes: ['Record<string, [unknown, unknown]> | null', 'Each changed field: [old, new].'], note: 'string | null',
  people: ['Record<string, string> | null', 'The collaborators the changes name: id → full name.', 'optional'],
  recordName: ['string | null', "The record's name (a contract's: its client's); null when gone or out of sight.", 'optional'],
});

export const IMPORT_REPORT = record<ImportReport>('ImportReport', {
  file: 'string', created: 'number', updated: 'number', skipped: 'number', dryRun: 'boolean',
  importId: ['number | null', "The import's number, for clients.undoImport (null for a dry run)."],
});

/** The fields of a record listed, as a TypeScript Pick of its interface. */
const pick = <T>(name: string, fields: { readonly [K in keyof Required<T>]: true }) => `Array<Pick<${name}, ${Object.keys(fields).map((f) => `'${f}'`).join(' | ')}>>`;

export const FOUND = record<Found>('Found', {
  clients: pick<FoundClient>('Client', { id: true, fullName: true, email: true, phone: true, companyName: true, salesContactName: true }),
  contracts: pick<FoundContract>('Contract', { id: true, clientId: true, clientName: true, totalAmount: true, amountDue: true, signed: true, createdAt: true }),
  events: pick<FoundEvent>('EpicEvent', { id: true, name: true, startAt: true, location: true, clientName: true, supportContactName: true }),
  more: ["Array<'clients' | 'contracts' | 'events'>", 'Kinds with more matches than shown.'],
});

const FIGURES = {
  contracts: ['number', 'Signed contracts counted.'], signed: ['string', "Total signed, exact: '1500.00'."], collected: ['string', 'Signed minus still due.'], due: ['string', 'Still due.'],
} as const;

export const REVENUE_BY_SALES_CONTACT = record<RevenueBySalesContact>('RevenueBySalesContact', {
  salesContactId: 'number | null', salesContact: ['string', "Full name, '(no sales contact)' or '(total)'."], ...FIGURES,
});

export const REVENUE_BY_MONTH = record<RevenueByMonth>('RevenueByMonth', { month: ["string", "'2026-06', or '(total)'."], ...FIGURES });

export const REVENUE_BY_CLIENT = record<RevenueByClient>('RevenueByClient', {
  id: 'number', client: ["string", "Full name, or '(total)'."], salesContactId: 'number | null', salesContact: 'string | null', ...FIGURES,
});

export const DEBTOR = record<Debtor>('Debtor', {
  id: 'number', client: 'string', email: 'string', phone: 'string | null', salesContact: 'string | null', contracts: 'number', due: ['string', "Still due, exact: '1500.00'."],
});

export const PIPELINE_LINE = record<PipelineLine>('PipelineLine', {
  salesContactId: 'number | null', salesContact: 'string', contracts: ['number', 'Unsigned contracts.'], value: ['string', "Their total, exact: '1500.00'."],
});

const TRASHED = "'client' | 'contract' | 'event'";

export const DELETED = record<{ deleted: string; id: number }>('Deleted', { deleted: [TRASHED, 'What went to the trash.'], id: 'number' });

export const TRASH_ENTRY = record<TrashEntry>('TrashEntry', {
  id: 'number', object: TRASHED, recordId: 'number', what: ['string', 'The record in a few words.'],
  withRecords: ['number', 'How many records went with it.'], deletedAt: 'Date', deletedBy: 'string',
});

export const PURGED = record<{ purged: number }>('Purged', { purged: ['number', 'Trash entries removed for good.'] });

export const UNDONE = record<UndoResult>('Undone', {
  object: "'client' | 'contract' | 'event' | 'user'", recordId: 'number', action: "'undone' | 'deleted' | 'restored'",
  fields: ['string[]', "The fields written back (an 'undone')."],
});

export const IMPORT_UNDONE = record<UndoImportResult>('ImportUndone', {
  importId: 'number', deleted: ['number[]', 'The clients the import created, now in the trash.'], restored: ['number[]', 'The clients it updated, their values put back.'],
});

export const ERASED = record<{ erased: number }>('Erased', { erased: ['number', "The client's id."] });

const ROWS = 'Array<Record<string, unknown>>';

export const PERSONAL_DATA_RECORD = record<PersonalData>('PersonalData', {
  client: 'Record<string, unknown>', inTrash: 'boolean', contracts: ROWS, events: ROWS, followUps: ROWS, history: ROWS,
});

export const DELETED_USER = record<DeletedUser>('DeletedCollaborator', {
  id: 'number', email: 'string', fullName: 'string', department: DEPARTMENT, clients: ['number', 'Clients that were theirs.'], events: 'number',
  reassignedTo: ['string | null', 'Who received them; null: left unassigned.'],
});

export const SESSIONS_ENDED = record<{ id: number; ended: number }>('SessionsEnded', { id: 'number', ended: ['number', 'Sessions ended.'] });

export const UNLOCKED = record<{ email: string; wasLocked: boolean }>('Unlocked', { email: 'string', wasLocked: 'boolean' });
