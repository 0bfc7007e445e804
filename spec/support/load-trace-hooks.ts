/** The loader hook of spec/support/load-trace.ts (it runs on the loader's own thread): each module's URL, appended to a file. */
import fs from 'node:fs';

let file: string | undefined;

export function initialize(data: { file: string }): void {
  file = data.file;
}

export async function load(url: string, context: unknown, next: (url: string, context: unknown) => Promise<unknown>): Promise<unknown> {
  if (file) fs.appendFileSync(file, `${url}\n`);
  return next(url, context);
}
