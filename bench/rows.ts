/** The rows of the batch figure: the same for the shell script and the bare-driver loop. */
export interface BatchClient {
  fullName: string;
  email: string;
  phone: string;
  companyName: string;
}

export function batchClient(i: number, tag: string): BatchClient {
  return { fullName: `Batch client ${i}`, email: `batch-${tag}-${i}@bench.example`, phone: `+33 6 ${String(i).padStart(8, '0')}`, companyName: `Batch company ${i % 97}` };
}

/** A script of `count` lines, one clients.create per line. */
export function batchScript(count: number, tag: string): string {
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) lines.push(`clients.create(${JSON.stringify(batchClient(i, tag))});`);
  return `${lines.join('\n')}\n`;
}
