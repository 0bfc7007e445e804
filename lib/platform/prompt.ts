/** Questions on the terminal, with hidden input for passwords. */
import readline from 'node:readline';
import { Writable, type Readable } from 'node:stream';

export interface Terminal {
  input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: Writable & { isTTY?: boolean };
}

type TtyLike = Writable & { isTTY?: boolean; columns?: number; rows?: number; getColorDepth?: (env?: object) => number; hasColors?: (...args: unknown[]) => boolean };

/**
 * The output a line reader writes to, which can be hidden: while `hidden`,
 * what the reader writes (the echo of what is typed, its cursor moves) is
 * dropped. The decision is taken when the reader writes, never later, so no
 * echo slips out after the answer. Only public stream API: readline and the
 * REPL write through `output.write` on every Node version, whatever they do
 * inside.
 */
export class HideableOutput extends Writable {
  hidden = false;

  private readonly onResize = () => this.emit('resize');

  constructor(readonly target: TtyLike) {
    super();
    target.on('resize', this.onResize);
  }

  /** Stop following the target's size (when the reader is done with it). */
  detach(): void {
    this.hidden = false;
    this.target.removeListener('resize', this.onResize);
  }

  get isTTY(): boolean | undefined {
    return this.target.isTTY;
  }

  get columns(): number | undefined {
    return this.target.columns;
  }

  get rows(): number | undefined {
    return this.target.rows;
  }

  getColorDepth(env?: object): number {
    return this.target.getColorDepth?.(env) ?? 1;
  }

  hasColors(...args: unknown[]): boolean {
    return this.target.hasColors?.(...args) ?? false;
  }

  override write(chunk: unknown, encoding?: BufferEncoding | ((err?: Error | null) => void), callback?: (err?: Error | null) => void): boolean {
    const done = typeof encoding === 'function' ? encoding : callback;
    if (this.hidden) {
      if (done) process.nextTick(done);
      return true;
    }
    return typeof encoding === 'string' ? this.target.write(chunk, encoding, done) : this.target.write(chunk, done);
  }

  override _write(chunk: unknown, encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.write(chunk, encoding, callback);
  }
}

/** Ask one line; with `hidden`, nothing typed is echoed. Resolves undefined on end of input. */
export function ask(term: Terminal, question: string, options: { hidden?: boolean } = {}): Promise<string | undefined> {
  return new Promise((resolve) => {
    const terminal = Boolean(term.output.isTTY && term.input.isTTY);
    const output = new HideableOutput(term.output);
    const rl = readline.createInterface({ input: term.input, output, terminal, historySize: 0 });
    let answered = false;
    if (options.hidden) {
      // The question is shown; then nothing the reader writes until the answer.
      term.output.write(question);
      output.hidden = true;
    }
    rl.question(question, (answer) => {
      answered = true;
      output.hidden = false;
      rl.close();
      if (options.hidden && terminal) term.output.write('\n');
      resolve(answer);
    });
    rl.on('close', () => {
      output.detach();
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
