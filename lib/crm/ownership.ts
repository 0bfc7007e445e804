/**
 * The ownership rules a method description names (lib/crm/describe.ts), each
 * said once: which column of the locked row holds the owner, how help() words
 * it and how a refusal reads. PostgreSQL applies the same rules as row-level
 * security policies (sql/migrations/003_department_roles.sql); an
 * implementation checks them against the row it locked, in the write's
 * transaction, with `assertOwnership`.
 */
import { PermissionDenied } from '../domain/errors.js';
import type { Actor } from '../domain/actor.js';
import type { MethodDescription, Ownership } from './describe.js';

/** What a rule reads from the locked row. */
export interface OwnedRow {
  id: number;
  clientId?: number;
  salesContactId?: number | null;
  salesContactEmail?: string | null;
  supportContactId?: number | null;
  supportContactEmail?: string | null;
}

interface Rule {
  /** As help() shows it: `sales (own clients only)`. */
  readonly label: string;
  readonly owner: (row: OwnedRow) => number | null | undefined;
  readonly refusal: (department: string, row: OwnedRow, action: string) => string;
}

const salesOwner = (row: OwnedRow) => (row.salesContactId == null ? 'has no sales contact' : `belongs to ${row.salesContactEmail}`);

export const OWNERSHIP: Readonly<Record<Ownership, Rule>> = {
  ownClient: {
    label: 'own clients only',
    owner: (row) => row.salesContactId,
    refusal: (department, row, action) => `${department} may only ${action} their own clients (client ${row.id} ${salesOwner(row)})`,
  },
  ownClientContract: {
    label: "own clients' contracts only",
    owner: (row) => row.salesContactId,
    refusal: (department, row, action) => `${department} may only ${action} contracts of their own clients (contract ${row.id} is for client ${row.clientId}, who ${salesOwner(row)})`,
  },
  assignedEvent: {
    label: 'events assigned to them only',
    owner: (row) => row.supportContactId,
    refusal: (department, row, action) => {
      const whose = row.supportContactId == null ? 'is not assigned to anyone' : `is assigned to ${row.supportContactEmail}`;
      return `${department} may only ${action} events assigned to them (event ${row.id} ${whose})`;
    },
  },
};

/**
 * Refuse the call when the method's description gives the caller's
 * department an ownership rule and the locked row is not the caller's.
 * `action` words the refusal: 'update', 'sign', 'add events to'.
 */
export function assertOwnership(description: MethodDescription, actor: Pick<Actor, 'id' | 'department'>, row: OwnedRow, action: string): void {
  const ruleName = description.ownership?.[actor.department];
  if (!ruleName) return;
  const rule = OWNERSHIP[ruleName];
  if (rule.owner(row) === actor.id) return;
  throw new PermissionDenied(rule.refusal(actor.department, row, action));
}
