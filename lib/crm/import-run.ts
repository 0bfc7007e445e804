/**
 * The import of one file inside the call's transaction (clients.import,
 * lib/crm/import.ts): rows gathered in batches, duplicates found by email
 * and by phone number (E.164: one number in any form) within the file and
 * in the database, each batch written in one statement
 * under the caller's session, and the lines the file got wrong.
 */
import { bind, queries } from '../db/sql.js';
import type { Executor } from '../db/index.js';
import { lineProblem } from './csv-file.js';
import { phoneE164, phoneRegion } from './phone.js';

const q = queries('clients', ['clientsByEmail', 'collaboratorsByEmail', 'importClients', 'updateImportedClients', 'clientsById', 'clientsByPhone'] as const);

export type DuplicatePolicy = 'fail' | 'skip' | 'update';

/** Rows checked against the database and written together. */
export const IMPORT_BATCH = 1000;
/** Bad lines named in the error; the rest are counted. */
export const MAX_REPORTED_LINES = 100;
/** Problems named for one line. */
const MAX_PROBLEMS_A_LINE = 8;

export interface Candidate {
  line: number;
  fullName: string;
  email: string;
  phone: string | null;
  companyName: string | null;
  /** Management: the sales contact's email (lower case), null for none. */
  salesContact: string | null;
  /** The client an id column names (our own export's), used by onDuplicate 'update'; else null. */
  id: number | null;
}

/** A valid row and its phone in E.164 (null: none, or not readable as a number). */
type Entry = Candidate & { e164: string | null };

/** A client to update: its id, and the new email when the row named it by id. */
type Update = Entry & { id: number; newEmail: string | null };

interface ClientRef {
  email: string;
  id: number;
  salesContactId: number | null;
  salesContactEmail: string | null;
}

/** The import of one file, inside the call's transaction. */
export class ImportRun {
  /** The first MAX_REPORTED_LINES bad lines (the lowest numbers): each line's problems. */
  private readonly bad = new Map<number, string[]>();
  /** Bad lines, and problems found on them (a line may have several). */
  badCount = 0;
  problems = 0;
  /** The highest line kept in `bad` (a batch's duplicates are found after later lines were checked). */
  private highestKept = 0;
  private lastBadLine = 0;
  created = 0;
  updated = 0;
  skipped = 0;
  rows = 0;
  /** Each email of the file (lower case) and the line that first gave it. */
  private readonly seen = new Map<string, number>();
  /** Each phone of the file (E.164) and the line that first gave it. */
  private readonly seenPhones = new Map<string, number>();
  private batch: Entry[] = [];
  /** Sales contacts named so far (management): email → id, or the reason it cannot be one. */
  private readonly contacts = new Map<string, number | string>();
  /**
   * The last batch's writes, in flight while the next batch is parsed and
   * checked (awaited before the next batch touches the database, and at the end).
   */
  private writing: Promise<void> = Promise.resolve();
  /** The region national numbers are read in (lib/crm/phone.ts), once for the file. */
  private readonly region = phoneRegion();

  constructor(
    private readonly tx: Executor,
    private readonly file: string,
    private readonly actor: { id: number; department: string },
    private readonly policy: DuplicatePolicy,
    private readonly dryRun: boolean,
  ) {}

  /** Whether a row's id column names the client to update (onDuplicate 'update'). */
  get usesIds(): boolean {
    return this.policy === 'update';
  }

  problem(line: number, field: string | undefined, problem: string): void {
    this.problems++;
    const text = field ? `${field}: ${problem}` : problem;
    const known = this.bad.get(line);
    if (known) {
      if (known.length < MAX_PROBLEMS_A_LINE) known.push(text);
      return;
    }
    if (line === this.lastBadLine) return; // a line no longer kept
    // A line's problems all come from one check (its fields, its duplicate, or its batch), together.
    if (line !== this.lastBadLine) this.badCount++;
    this.lastBadLine = line;
    if (this.bad.size >= MAX_REPORTED_LINES) {
      if (line > this.highestKept) return;
      this.bad.delete(this.highestKept); // a lower line takes the place of the highest kept
      this.highestKept = Math.max(...this.bad.keys());
    }
    this.bad.set(line, [text]);
    if (line > this.highestKept) this.highestKept = line;
  }

  /** The bad lines named, in line order: `file.csv:12: email: "x" must be …; phone: …`. */
  badLines(): string[] {
    return [...this.bad.keys()].sort((a, b) => a - b).map((line) => lineProblem(this.file, line, undefined, (this.bad.get(line) as string[]).join('; ')));
  }

  /** A valid row: the same email or phone number earlier in the file, else on to the next batch. */
  async add(row: Candidate): Promise<void> {
    const key = row.email.toLowerCase();
    const e164 = phoneE164(row.phone, this.region);
    const byEmail = this.seen.get(key);
    const first = byEmail ?? (e164 === null ? undefined : this.seenPhones.get(e164));
    if (first !== undefined) {
      const what = byEmail !== undefined ? row.email : `${row.phone} (${e164})`;
      if (this.policy === 'skip') this.skipped++;
      else this.problem(row.line, byEmail !== undefined ? 'email' : 'phone', `${what} is already on line ${first}${this.policy === 'update' ? ' (which line should win?)' : ''}`);
      return;
    }
    this.seen.set(key, row.line);
    if (e164 !== null) this.seenPhones.set(e164, row.line);
    this.batch.push({ ...row, e164 });
    if (this.batch.length >= IMPORT_BATCH) await this.flush();
  }

  /** Check a batch against the database and, while no line is bad, write it. */
  async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    await this.writing;
    if (!batch.length) return;
    const existing = new Map((await this.tx.many<ClientRef>(q.clientsByEmail, bind(q.clientsByEmail, { emails: batch.map((r) => r.email.toLowerCase()) }))).map((c) => [c.email, c]));
    // A row whose email is new may still be a client under another form of its phone number.
    const phones = [...new Set(batch.filter((r) => r.e164 !== null && !existing.has(r.email.toLowerCase())).map((r) => r.e164 as string))];
    const byPhone = new Map(phones.length ? (await this.tx.many<ClientRef & { phone: string }>(q.clientsByPhone, bind(q.clientsByPhone, { phones }))).map((c) => [c.phone, c]) : []);
    await this.lookUpContacts(batch);
    const inserts: Array<Entry & { salesContactId: number | null }> = [];
    const updates: Update[] = [];
    const named = this.policy === 'update' ? batch.filter((r) => r.id !== null).map((r) => r.id as number) : [];
    const byId = new Map(named.length ? (await this.tx.many<ClientRef>(q.clientsById, bind(q.clientsById, { ids: named }))).map((c) => [c.id, c]) : []);
    for (const row of batch) {
      let contactId: number | null = this.actor.department === 'sales' ? this.actor.id : null;
      if (row.salesContact !== null) {
        const contact = this.contacts.get(row.salesContact);
        if (typeof contact === 'string') {
          this.problem(row.line, 'salesContact', contact);
          continue;
        }
        contactId = contact ?? null;
      }
      const sameEmail = existing.get(row.email.toLowerCase());
      const client = sameEmail ?? (row.e164 === null ? undefined : byPhone.get(row.e164));
      const [field, what] = sameEmail ? ['email', row.email] : ['phone', `${row.phone} (${row.e164})`];
      if (this.policy === 'update' && row.id !== null) {
        const target = byId.get(row.id);
        if (!target) this.problem(row.line, 'id', `no client has id ${row.id}`);
        else if (target.salesContactId !== this.actor.id) this.problem(row.line, 'id', `client ${row.id} ${whose(target)}: onDuplicate 'update' changes only your own clients`);
        else if (client && client.id !== row.id) this.problem(row.line, 'email', `${row.email} is client ${client.id}'s, not client ${row.id}'s`);
        else updates.push({ ...row, id: row.id, newEmail: row.email });
        continue;
      }
      if (!client) {
        inserts.push({ ...row, salesContactId: contactId });
      } else if (this.policy === 'skip') {
        this.skipped++;
      } else if (this.policy === 'update' && client.salesContactId === this.actor.id) {
        updates.push({ ...row, id: client.id, newEmail: null }); // found by email or by phone: its email stays
      } else if (this.policy === 'update') {
        this.problem(row.line, field, `client ${client.id} (${client.email}) ${whose(client)}: onDuplicate 'update' changes only your own clients`);
      } else {
        this.problem(row.line, field, `client ${client.id}${sameEmail ? '' : ` (${client.email})`} already has ${what} (onDuplicate: 'skip' leaves it, 'update' updates your own)`);
      }
    }
    if (this.badCount > 0) return; // all or nothing: once a line is bad, only checking goes on
    this.created += inserts.length;
    this.updated += updates.length;
    if (this.dryRun) return;
    this.writing = this.write(inserts, updates);
    this.writing.catch(() => undefined); // awaited by the next flush or settle(); not a stray rejection meanwhile
  }

  /** Every batch written (the last one's writes awaited). */
  async settle(): Promise<void> {
    await this.flush();
    await this.writing;
  }

  private async write(inserts: Array<Entry & { salesContactId: number | null }>, updates: Update[]): Promise<void> {
    if (inserts.length) {
      const columns = {
        file: this.file,
        fullNames: inserts.map((r) => r.fullName),
        emails: inserts.map((r) => r.email),
        phones: inserts.map((r) => r.phone),
        companyNames: inserts.map((r) => r.companyName),
        salesContactIds: inserts.map((r) => r.salesContactId),
        phoneE164s: inserts.map((r) => r.e164),
        skip: this.policy === 'skip',
      };
      // One call (sql/migrations/047 import_clients): it numbers the import and writes its history.
      const written = (await this.tx.one<{ count: number }>(q.importClients, bind(q.importClients, columns)))?.count ?? 0;
      // 'skip': another import may have committed some of these emails since the batch was checked: skipped too.
      this.created -= inserts.length - written;
      this.skipped += inserts.length - written;
    }
    if (updates.length) {
      await this.tx.exec(q.updateImportedClients, bind(q.updateImportedClients, {
        ids: updates.map((r) => r.id),
        emails: updates.map((r) => r.newEmail),
        fullNames: updates.map((r) => r.fullName),
        phones: updates.map((r) => r.phone),
        companyNames: updates.map((r) => r.companyName),
        phoneE164s: updates.map((r) => r.e164),
      }));
    }
  }

  /** The sales contacts a management import names, looked up once each. */
  private async lookUpContacts(batch: Candidate[]): Promise<void> {
    const wanted = [...new Set(batch.map((r) => r.salesContact).filter((e): e is string => e !== null && !this.contacts.has(e)))];
    if (!wanted.length) return;
    const found = await this.tx.many<{ email: string; id: number; department: string }>(q.collaboratorsByEmail, bind(q.collaboratorsByEmail, { emails: wanted }));
    const byEmail = new Map(found.map((u) => [u.email, u]));
    for (const email of wanted) {
      const user = byEmail.get(email);
      this.contacts.set(email, !user ? `no collaborator has the email ${email}` : user.department !== 'sales' ? `${email} is in ${user.department}, not sales` : user.id);
    }
  }
}

const whose = (client: ClientRef) => (client.salesContactEmail ? `belongs to ${client.salesContactEmail}` : 'has no sales contact');
