/**
 * Which columns a list shows and how: a table that fits the terminal, or one
 * record after another (vertical, like psql's `\x auto`). Pure: given the
 * cells as text and the terminal's width, it chooses; lib/shell/output.ts
 * draws. Each object has a short default view (the columns a person scans)
 * that fits 80 columns; a wider terminal adds the next most useful columns
 * while the table still fits; `columns: [...]` or `'all'` chooses instead.
 */

/** A list's columns: the short view that grows with the terminal, every column, or these. */
export type ColumnChoice = 'default' | 'all' | readonly string[];

/** Vertical layout: when a table does not fit (auto), always (on), never (off). */
export type Expanded = 'auto' | 'on' | 'off';

export const EXPANDED_MODES: readonly Expanded[] = ['auto', 'on', 'off'];

interface View {
  /** Every column, in the order they are shown. */
  readonly order: readonly string[];
  /** The short view: what fits 80 columns. */
  readonly core: readonly string[];
  /** Added, most useful first, while the table still fits. */
  readonly extras: readonly string[];
}

/** The columns of each object's list (lib/crm, sql/*.sql), and their short views. */
export const VIEWS: Readonly<Record<string, View>> = {
  clients: {
    order: ['id', 'fullName', 'email', 'phone', 'companyName', 'salesContactId', 'salesContactName', 'createdAt', 'updatedAt'],
    core: ['id', 'fullName', 'companyName', 'salesContactName'],
    extras: ['email', 'phone', 'updatedAt', 'createdAt', 'salesContactId'],
  },
  contracts: {
    order: ['id', 'clientId', 'clientName', 'clientEmail', 'clientPhone', 'salesContactId', 'salesContactName', 'totalAmount', 'amountDue', 'signed', 'signedAt', 'createdAt', 'updatedAt'],
    core: ['id', 'clientName', 'salesContactName', 'totalAmount', 'amountDue', 'signed'],
    extras: ['signedAt', 'clientEmail', 'clientPhone', 'updatedAt', 'createdAt', 'clientId', 'salesContactId'],
  },
  events: {
    order: ['id', 'name', 'contractId', 'clientName', 'clientEmail', 'clientPhone', 'startAt', 'endAt', 'supportContactId', 'supportContactName', 'location', 'attendees', 'notes', 'createdAt', 'updatedAt'],
    core: ['id', 'name', 'clientName', 'startAt', 'supportContactName'],
    extras: ['location', 'endAt', 'attendees', 'contractId', 'clientEmail', 'clientPhone', 'notes', 'supportContactId', 'updatedAt', 'createdAt'],
  },
  users: {
    order: ['id', 'employeeNumber', 'fullName', 'email', 'phone', 'department', 'createdAt', 'updatedAt'],
    core: ['id', 'fullName', 'email', 'department'],
    extras: ['employeeNumber', 'phone', 'updatedAt', 'createdAt'],
  },
};

/** Shorter headings where the field's own name is much wider than what it holds. */
const LABELS: Readonly<Record<string, string>> = {
  clientName: 'client',
  salesContactName: 'sales contact',
  supportContactName: 'support contact',
  totalAmount: 'total',
  amountDue: 'due',
};

/** fullName → "full name", salesContactId → "sales contact id". */
export function heading(field: string): string {
  return field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
}

/** A column's heading in a table: its short label, else its name in words. */
export function columnLabel(field: string): string {
  return LABELS[field] ?? heading(field);
}

/** A column as a person may write it: "totalAmount", "total amount", "total" all name totalAmount. */
const squash = (name: string) => name.toLowerCase().replace(/[\s_-]+/g, '');

/** The field `name` stands for among `fields` (its name, its words, or its short label), or undefined. */
export function resolveColumn(name: string, fields: readonly string[]): string | undefined {
  const wanted = squash(name);
  return fields.find((f) => squash(f) === wanted || squash(columnLabel(f)) === wanted);
}

/** Every column an object's list has (empty for an object without a view). */
export function columnsOf(object: string): readonly string[] {
  return VIEWS[object]?.order ?? [];
}

/** The rows' fields in the view's order; fields the view does not know come last, as the rows have them. */
function ordered(object: string | undefined, fields: readonly string[]): string[] {
  const order = object ? VIEWS[object]?.order ?? [] : [];
  return [...order.filter((f) => fields.includes(f)), ...fields.filter((f) => !order.includes(f))];
}

/** Widest a cell gets when the terminal's width is not known (output to a file or a pipe). */
export const UNBOUNDED_CELL_WIDTH = 40;

/** Narrowest a cut cell gets (a heading is never cut). */
export const MIN_CELL_WIDTH = 8;

/** Between two columns. */
export const COLUMN_GAP = 2;

export interface LayoutRequest {
  /** What the list holds (clients, contracts…): its view. */
  object?: string;
  /** The rows' fields, in the rows' order. */
  fields: readonly string[];
  /** Each field's widest cell (characters), its heading excluded. */
  cellWidths: Readonly<Record<string, number>>;
  /** The terminal's width; undefined when the output is not a terminal. */
  width?: number;
  columns: ColumnChoice;
  expanded: Expanded;
}

export type Layout =
  | { kind: 'table'; columns: string[]; widths: number[] }
  | { kind: 'vertical'; columns: string[] };

const natural = (field: string, cells: Readonly<Record<string, number>>) => Math.max(columnLabel(field).length, cells[field] ?? 0);

/**
 * Widths that fit `width`: cells at their natural width when that fits, else
 * the widest cut to a common cap (never below the heading or MIN_CELL_WIDTH).
 * Undefined when even that does not fit.
 */
export function fitWidths(columns: readonly string[], cells: Readonly<Record<string, number>>, width: number): number[] | undefined {
  const wants = columns.map((c) => natural(c, cells));
  const room = width - COLUMN_GAP * Math.max(0, columns.length - 1);
  const total = (ws: number[]) => ws.reduce((a, b) => a + b, 0);
  if (total(wants) <= room) return wants;
  const floors = columns.map((c, i) => Math.min(wants[i], Math.max(columnLabel(c).length, MIN_CELL_WIDTH)));
  if (total(floors) > room) return undefined;
  let cap = Math.max(...wants);
  const capped = (c: number) => wants.map((w, i) => Math.max(floors[i], Math.min(w, c)));
  while (cap > 1 && total(capped(cap)) > room) cap--;
  return capped(cap);
}

/** The columns a list shows and its layout (see the module's comment). */
export function chooseLayout(request: LayoutRequest): Layout {
  const { fields, cellWidths: cells, width, expanded } = request;
  const all = ordered(request.object, fields);
  const view = request.object ? VIEWS[request.object] : undefined;
  let columns: string[];
  if (Array.isArray(request.columns)) columns = request.columns.filter((c) => fields.includes(c));
  else if (request.columns === 'all' || !view || width === undefined) columns = all;
  else columns = all.filter((f) => view.core.includes(f));
  if (columns.length === 0) columns = all;

  if (expanded === 'on') return { kind: 'vertical', columns };
  if (width === undefined) return { kind: 'table', columns, widths: columns.map((c) => Math.min(natural(c, cells), Math.max(UNBOUNDED_CELL_WIDTH, columnLabel(c).length))) };

  const widths = fitWidths(columns, cells, width);
  if (!widths) {
    if (expanded === 'auto') return { kind: 'vertical', columns };
    // Off: the table all the same, its cells as narrow as they get (lines wider than the terminal).
    return { kind: 'table', columns, widths: columns.map((c) => Math.min(natural(c, cells), Math.max(columnLabel(c).length, MIN_CELL_WIDTH))) };
  }
  const uncut = widths.every((w, i) => w === natural(columns[i], cells));
  // Every column asked for: cut dates and names are of no use, so one record after another instead.
  if (request.columns === 'all' && !uncut && expanded === 'auto') return { kind: 'vertical', columns };
  if (request.columns !== 'default' || !view) return { kind: 'table', columns, widths };

  // A wider terminal shows more: the next most useful columns, in turn, while the table still fits uncut.
  if (!uncut) return { kind: 'table', columns, widths };
  const extras = [...view.extras, ...all.filter((f) => !view.order.includes(f))].filter((f) => fields.includes(f));
  for (const extra of extras) {
    const candidate = all.filter((f) => columns.includes(f) || f === extra);
    const wants = candidate.map((c) => natural(c, cells));
    // The first that does not fit ends it: a less useful narrow column never takes the place of a more useful one.
    if (wants.reduce((a, b) => a + b, 0) + COLUMN_GAP * (candidate.length - 1) > width) break;
    columns = candidate;
  }
  return { kind: 'table', columns, widths: columns.map((c) => natural(c, cells)) };
}
