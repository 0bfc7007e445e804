/**
 * Drawing a page of a list at 80 columns (lib/shell/table.ts: layout.ts
 * chooses, columnify draws, widths in terminal columns), for a page of 20 and
 * of 500 contracts with accented, combining and CJK names; the baseline is the
 * same cells padded by code point (no width table, no columnify), in the same run.
 */
import { formatTable } from '../lib/shell/table.js';
import { median } from './harness.js';

const NAMES = ['Kevin Casey', 'Ame\u0301lie Lefe\u0300vre', '山田太郎', '株式会社テスト', 'José Álvarez-Núñez', 'Bill Boquet'];

function contractRows(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1, clientId: 1000 + i, clientName: NAMES[i % NAMES.length], clientEmail: `client${i}@example.test`, clientPhone: '+33 6 12 34 56 78',
    salesContactId: 3, salesContactName: NAMES[(i + 2) % NAMES.length], totalAmount: `${1000 + i}.00`, amountDue: `${i % 7 ? 0 : 500}.00`,
    signed: i % 3 === 0, signedAt: new Date(1_780_000_000_000 + i * 86_400_000), createdAt: new Date(1_770_000_000_000), updatedAt: new Date(1_775_000_000_000),
  }));
}

/** The same cells, padded by code point: what a table costs without measuring as the terminal draws. */
function naiveTable(rows: Record<string, unknown>[]): string {
  const fields = ['id', 'clientName', 'salesContactName', 'totalAmount', 'amountDue', 'signed'];
  const cells = rows.map((r) => fields.map((f) => String(r[f] ?? '')));
  const widths = fields.map((f, i) => Math.max(f.length, ...cells.map((c) => [...c[i]].length)));
  return cells.map((c) => c.map((v, i) => v.padEnd(widths[i])).join('  ')).join('\n');
}

function timed(runs: number, draw: () => string): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    draw();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

/** Milliseconds (median) to draw a page of `n` rows at 80 columns, and its baseline. */
export function tableFigure(n: number): { value: number; baseline: number } {
  const rows = contractRows(n);
  const runs = n > 100 ? 15 : 60;
  timed(3, () => formatTable(rows, false, { object: 'contracts', width: 80 })); // warm-up, columnify loaded
  return {
    value: timed(runs, () => formatTable(rows, false, { object: 'contracts', width: 80 })),
    baseline: timed(runs, () => naiveTable(rows)),
  };
}
