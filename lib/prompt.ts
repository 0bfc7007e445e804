/** Questions on the terminal, with hidden input for passwords. */
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export interface Terminal {
  input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: Writable & { isTTY?: boolean };
}

/** Ask one line; with `hidden`, nothing typed is echoed. Resolves undefined on end of input. */
export function ask(term: Terminal, question: string, options: { hidden?: boolean } = {}): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: term.input, output: term.output, terminal: Boolean(term.output.isTTY && term.input.isTTY) });
    let answered = false;
    if (options.hidden) {
      // Swallow echo: readline writes what is typed through _writeToOutput.
      const r = rl as unknown as { _writeToOutput: (s: string) => void };
      r._writeToOutput = (s: string) => {
        if (s.startsWith(question)) term.output.write(question);
        else if (s === '\r\n' || s === '\n') term.output.write(s);
      };
    }
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      if (options.hidden && rl.terminal) term.output.write('\n');
      resolve(answer);
    });
    rl.on('close', () => {
      if (!answered) resolve(undefined);
    });
  });
}

/** Read all of a non-terminal stream (e.g. --password-stdin), without the final newline. */
export async function readAll(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
