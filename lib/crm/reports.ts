/**
 * reports: revenue, unpaid, pipeline, for management (everything) and sales
 * (their own clients). The scope is PostgreSQL's: the report views of
 * sql/migrations/009_payments_reports.sql decide what a department sees from
 * the verified session, and support has no grant on them. Sums are exact
 * (numeric, strings such as '1500.00'); the totals of a report are added up
 * here in cents (BigInt), never in floating point.
 */
import { bind, queries } from '../db/sql.js';
import { arrayOf, byKey, fields, may, method, need, pageOf, type ObjectDescription, type Values, record } from './describe.js';
import { inSession, type ApiDeps } from './deps.js';
import { DEFAULT_PAGE_SIZE, makePage, type Page } from './page.js';
import { cents } from './money.js';
import { timestamp, type Problems } from './validate.js';
import { pageLimitField } from './list-filters.js';

const q = queries('reports', ['revenue', 'revenueByClient', 'unpaid', 'pipeline'] as const);

export const REVENUE_KEYS = ['salesContact', 'client', 'month'] as const;
export type RevenueKey = (typeof REVENUE_KEYS)[number];

/** Amounts of signed contracts: total signed, collected (signed − due), still due. */
export interface RevenueFigures {
  contracts: number;
  signed: string;
  collected: string;
  due: string;
}

export type RevenueBySalesContact = { salesContactId: number | null; salesContact: string } & RevenueFigures;
export type RevenueByMonth = { month: string } & RevenueFigures;
export type RevenueByClient = { id: number; client: string; salesContactId: number | null; salesContact: string | null } & RevenueFigures;

export interface Debtor {
  id: number;
  client: string;
  email: string;
  phone: string | null;
  salesContact: string | null;
  contracts: number;
  due: string;
}

export interface PipelineLine {
  salesContactId: number | null;
  salesContact: string;
  contracts: number;
  value: string;
}

const FIGURES = {
  contracts: ['number', 'Signed contracts counted.'], signed: ['string', "Total signed, exact: '1500.00'."], collected: ['string', 'Signed minus still due.'], due: ['string', 'Still due.'],
} as const;

const REVENUE_BY_SALES_CONTACT = record<RevenueBySalesContact>('RevenueBySalesContact', {
  salesContactId: 'number | null', salesContact: ['string', "Full name, '(no sales contact)' or '(total)'."], ...FIGURES,
});

const REVENUE_BY_MONTH = record<RevenueByMonth>('RevenueByMonth', { month: ["string", "'2026-06', or '(total)'."], ...FIGURES });

const REVENUE_BY_CLIENT = record<RevenueByClient>('RevenueByClient', {
  id: 'number', client: ["string", "Full name, or '(total)'."], salesContactId: 'number | null', salesContact: 'string | null', ...FIGURES,
});

const DEBTOR = record<Debtor>('Debtor', {
  id: 'number', client: 'string', email: 'string', phone: 'string | null', salesContact: 'string | null', contracts: 'number', due: ['string', "Still due, exact: '1500.00'."],
});

const PIPELINE_LINE = record<PipelineLine>('PipelineLine', {
  salesContactId: 'number | null', salesContact: 'string', contracts: ['number', 'Unsigned contracts.'], value: ['string', "Their total, exact: '1500.00'."],
});

/** Label of the line that adds up a report, and of the clients without a sales contact. */
export const TOTAL = '(total)';
export const NO_SALES_CONTACT = '(no sales contact)';

/** The `(total)` rows: the last line of a report's table, but not a data row in --json or --csv. */
const totals = new WeakSet<object>();

function withTotal<R extends object>(rows: R[], total: R): R[] {
  totals.add(total);
  return [...rows, total];
}

/** A report with its `(total)` line as {rows, total}; undefined for anything else. */
export function splitTotal(value: unknown): { rows: unknown[]; total: object } | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const last: unknown = value[value.length - 1];
  return typeof last === 'object' && last !== null && totals.has(last) ? { rows: value.slice(0, -1), total: last } : undefined;
}

function revenueKey(v: unknown, field: string, problems: Problems): RevenueKey | undefined {
  if (typeof v === 'string' && (REVENUE_KEYS as readonly string[]).includes(v)) return v as RevenueKey;
  problems.add(field, `must be one of ${REVENUE_KEYS.map((k) => `'${k}'`).join(', ')}`);
  return undefined;
}

const REPORTERS = ['management', 'sales'] as const;
const SCOPE = { sales: 'ownClient' } as const;

/** The reports methods: who may call each, its arguments and its help (lib/crm/describe.ts). */
export const REPORTS = {
  revenue: method({
    returns: byKey('by', { salesContact: arrayOf(REVENUE_BY_SALES_CONTACT), client: pageOf(REVENUE_BY_CLIENT), month: arrayOf(REVENUE_BY_MONTH) }),
    departments: REPORTERS, ownership: SCOPE, writes: false,
    // from/to: one date check each (the same as every other date argument).
    args: [fields('options', { by: need(revenueKey), from: may(timestamp), to: may(timestamp), limit: may(pageLimitField) })],
    check: ([{ from, to, by, limit }], p) => {
      // Called bare (or without by): say what by may be, once.
      if (by === undefined && !p.list.some((x) => x.field === 'by' && x.problem !== 'is required')) {
        p.list.splice(0, p.list.length, ...p.list.filter((x) => x.field !== 'by'));
        p.add('by', `is required: one of ${REVENUE_KEYS.map((k) => `'${k}'`).join(', ')} (reports.revenue({by: 'month'}))`);
      }
      if (from && to && to.getTime() <= from.getTime()) p.add('to', 'must be after from');
      if (limit !== undefined && by !== undefined && by !== 'client') p.add('limit', "only applies to by: 'client' (the other reports are short)");
    },
    description: 'signed contracts: total signed, collected and still due, by salesContact, client or month (signed between from and to)',
    example: "reports.revenue({by: 'month', from: '2026-01-01'})",
  }),
  unpaid: method({
    returns: pageOf(DEBTOR), departments: REPORTERS, ownership: SCOPE, writes: false,
    args: [fields('options', { limit: may(pageLimitField) }, { optional: true })],
    description: 'who still owes what on signed contracts, largest amount first', example: 'reports.unpaid()',
  }),
  pipeline: method({
    returns: arrayOf(PIPELINE_LINE), departments: REPORTERS, ownership: SCOPE, writes: false, args: [],
    description: 'unsigned contracts and their value, by sales contact', example: 'reports.pipeline()',
  }),
} satisfies ObjectDescription;

/** The sum of an amount column, exact: '1234.50'. */
export function sumAmounts<R>(rows: readonly R[], amount: (row: R) => string): string {
  const total = rows.reduce((sum, row) => sum + cents(amount(row)), 0n);
  const sign = total < 0n ? '-' : '';
  const digits = (total < 0n ? -total : total).toString().padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

function totalFigures(rows: readonly RevenueFigures[]): RevenueFigures {
  return {
    contracts: rows.reduce((n, r) => n + r.contracts, 0),
    signed: sumAmounts(rows, (r) => r.signed),
    collected: sumAmounts(rows, (r) => r.collected),
    due: sumAmounts(rows, (r) => r.due),
  };
}

/** The zone months are counted in: the shell's own (TZ), as dates are shown. */
function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

interface RevenueLine extends RevenueFigures {
  month: string | null;
  salesContactId: number | null;
  salesContact: string | null;
}

export function createReports(deps: ApiDeps) {
  async function revenue(o: Values<typeof REPORTS.revenue>[0]): Promise<RevenueBySalesContact[] | RevenueByMonth[] | Page<RevenueByClient>> {
    const from = o.from ?? null;
    const to = o.to ?? null;
    if (o.by === 'client') {
      const limit = o.limit ?? DEFAULT_PAGE_SIZE;
      const fetchAfter = async (afterId: number, listed = 0, size = limit): Promise<Page<RevenueByClient>> => {
        const rows = await inSession(deps, (tx) => tx.many<RevenueByClient>(q.revenueByClient, bind(q.revenueByClient, { from, to, afterId, limit: size + 1 })));
        return makePage('reports', rows, size, (last, n, next = limit) => fetchAfter(last.id, n, next), listed);
      };
      return fetchAfter(0);
    }
    const lines = await inSession(deps, (tx) => tx.many<RevenueLine>(q.revenue, bind(q.revenue, { by: o.by, from, to, tz: localZone() })));
    const figures = (l: RevenueFigures): RevenueFigures => ({ contracts: l.contracts, signed: l.signed, collected: l.collected, due: l.due });
    if (o.by === 'month') {
      const rows: RevenueByMonth[] = lines.map((l) => ({ month: l.month as string, ...figures(l) }));
      return rows.length ? withTotal<RevenueByMonth>(rows, { month: TOTAL, ...totalFigures(rows) }) : rows;
    }
    const rows: RevenueBySalesContact[] = lines.map((l) => ({ salesContactId: l.salesContactId, salesContact: l.salesContact ?? NO_SALES_CONTACT, ...figures(l) }));
    return rows.length ? withTotal<RevenueBySalesContact>(rows, { salesContactId: null, salesContact: TOTAL, ...totalFigures(rows) }) : rows;
  }

  async function unpaid(o: Values<typeof REPORTS.unpaid>[0]): Promise<Page<Debtor>> {
    const limit = o.limit ?? DEFAULT_PAGE_SIZE;
    // Keyset on (due, client id), largest first: the page after a row starts below its amount.
    const fetchAfter = async (afterDue: string | null, afterId: number, listed = 0, size = limit): Promise<Page<Debtor>> => {
      const rows = await inSession(deps, (tx) => tx.many<Debtor>(q.unpaid, bind(q.unpaid, { afterDue, afterId, limit: size + 1 })));
      return makePage('reports', rows, size, (last, n, next = limit) => fetchAfter(last.due, last.id, n, next), listed);
    };
    return fetchAfter(null, 0);
  }

  async function pipeline(): Promise<PipelineLine[]> {
    const lines = await inSession(deps, (tx) => tx.many<PipelineLine>(q.pipeline));
    const rows = lines.map((l) => ({ ...l, salesContact: l.salesContact ?? NO_SALES_CONTACT }));
    if (!rows.length) return rows;
    return withTotal<PipelineLine>(rows, { salesContactId: null, salesContact: TOTAL, contracts: rows.reduce((n, r) => n + r.contracts, 0), value: sumAmounts(rows, (r) => r.value) });
  }

  return { revenue, unpaid, pipeline };
}

export type Reports = ReturnType<typeof createReports>;
