/**
 * Every use of a node:repl internal, in one place.
 *
 * The shell needs five things the REPL has no public API for: Node's own eval
 * (top-level await, declarations kept across lines) with ours in front of it
 * (the gate), Node's own completer with ours in front of it, the errors Node's
 * eval takes from user code (a domain up to Node 24, the public `handleError`
 * option from Node 25.9), seeding the Up-arrow memory with earlier sessions'
 * lines, and taking Node's `.save` away (it writes passwords to a file). `startRepl` checks each when the REPL starts: what does not
 * behave as expected either falls back (no Node completion of globals, no
 * earlier lines under the Up arrow) and says so once, or, where the shell
 * cannot run safely without it, throws UnsupportedNode naming this Node.js
 * before any input is read — never a TypeError in the middle of a session.
 *
 * Everything else goes through public API: hidden password input (an output
 * the shell can hide, lib/platform/prompt.ts), keeping lines out of the Up-arrow memory
 * (the 'history' event), the question (`rl.question`), Ctrl+C ('SIGINT').
 */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { REPLEval, REPLServer, ReplOptions } from 'node:repl';
import { PassThrough } from 'node:stream';
import { UnsupportedNode } from '../platform/node-version.js';

export { UnsupportedNode, TESTED_NODE, checkNodeVersion } from '../platform/node-version.js';

export type Completion = [string[], string];
export type Completer = (line: string, callback: (err: Error | null, result?: Completion) => void) => void;

export interface AdaptedRepl {
  server: REPLServer;
  /** Node's own eval: run user code as the REPL would. */
  nodeEval: REPLEval;
  /** Fallbacks in use on this Node.js, one line each (empty on a tested version). */
  notes: string[];
  /**
   * Make the REPL evaluate each entered line with `evaluate`. Node's completer
   * evaluates through the same slot: its requests never reach `evaluate`; they
   * go to Node's eval only when they contain no call (completion never runs
   * the gate, a query or a method).
   */
  setEval(evaluate: REPLEval): void;
  /**
   * Make Tab complete with `complete`, given Node's completer (undefined where
   * it cannot be used). Returns completion as Tab now does it.
   */
  setCompleter(complete: (line: string, node: Completer | undefined) => Promise<Completion>): (line: string) => Promise<Completion>;
  /** Errors thrown by user code inside Node's eval, or later (a timer it set), go to `handler`. */
  onError(handler: (err: unknown) => void): void;
  /** Put earlier entries (oldest first) under the Up arrow; false when this Node.js does not allow it. */
  seedHistory(entries: string[]): boolean;
  /** Take one of Node's own dot-commands away (`.save`); UnsupportedNode when it stays. */
  removeCommand(name: string): void;
}

type Internals = {
  commands?: Record<string, unknown>;
  eval?: unknown;
  completer?: unknown;
  _domain?: EventEmitter;
  history?: unknown;
};

const PROBE_MESSAGE = 'epic-events: repl-adapter probe';
/** The probe's error comes from the REPL's context (another realm): not `instanceof Error` here. */
const isProbe = (err: unknown): boolean => typeof err === 'object' && err !== null && (err as { message?: unknown }).message === PROBE_MESSAGE;

/**
 * repl.start with the checks above. Options must not carry `eval` or
 * `completer` (they are installed afterwards, see setEval/setCompleter).
 */
export function startRepl(options: ReplOptions): AdaptedRepl {
  let errorHandler: (err: unknown) => void = () => undefined;
  let probing = false;
  let probeSeen = false;
  const route = (err: unknown): void => {
    if (probing && isProbe(err)) {
      probeSeen = true;
      return;
    }
    errorHandler(err);
  };
  // Node 25.9+: the public option. Older versions ignore it (and use a domain, below).
  let server: REPLServer;
  try {
    server = nodeRepl().start({ ...options, handleError: (err: unknown) => (route(err), 'ignore') } as ReplOptions);
  } catch (err) {
    throw new UnsupportedNode(`the REPL does not start with the shell's options (${(err as Error).message})`);
  }
  const internals = server as unknown as Internals;
  const notes: string[] = [];
  const fail = (what: string): never => {
    server.close();
    throw new UnsupportedNode(what);
  };

  // Node's eval: a function taking (code, context, file, callback).
  const nodeEval = internals.eval;
  if (typeof nodeEval !== 'function') fail("the REPL's own eval cannot be reached");
  const originalEval = nodeEval as REPLEval;

  // Errors from user code: the REPL's domain (Node ≤ 24), else handleError (25.9+).
  const domain = internals._domain;
  if (domain && typeof domain.on === 'function' && typeof domain.removeAllListeners === 'function') {
    domain.removeAllListeners('error');
    domain.on('error', route);
  }
  // Check it: a throw inside Node's eval must reach us or come back through its callback.
  probing = true;
  let calledBack = false;
  try {
    originalEval.call(server, `throw new Error(${JSON.stringify(PROBE_MESSAGE)})\n`, server.context, 'repl-adapter', (err) => {
      calledBack = isProbe(err);
    });
  } catch (err) {
    calledBack = isProbe(err);
  } finally {
    probing = false;
  }
  if (!probeSeen && !calledBack) fail("errors thrown in the REPL's eval can be neither captured nor returned");

  // The completer Node installed, to be replaced by ours.
  const nodeCompleter = typeof internals.completer === 'function' ? (internals.completer as Completer) : undefined;
  if (!nodeCompleter) notes.push(`Tab completes the shell's names only (Node.js ${process.version} gives no access to its completer)`);

  /** Set an internal slot; false when it cannot be set (a getter without setter, frozen) or does not keep the value. */
  const replace = (name: 'eval' | 'completer' | 'history', value: unknown): boolean => {
    try {
      internals[name] = value;
    } catch {
      return false;
    }
    return internals[name] === value;
  };

  // While Node's completer runs, what reaches the eval slot is its own probing.
  let completing = 0;
  server.prependListener('line', () => void (completing = 0)); // a line is never a completion
  const completionEval: REPLEval = function (code, context, file, callback) {
    if (/[()`]/.test(code)) return callback(null, undefined);
    return originalEval.call(server, code, context, file, callback);
  };
  const nodeComplete: Completer | undefined = nodeCompleter
    ? (line, callback) => {
        completing++;
        let settled = false;
        const finish = (err: Error | null, result?: Completion) => {
          if (settled) return;
          settled = true;
          completing = Math.max(0, completing - 1);
          callback(err, result);
        };
        try {
          nodeCompleter.call(server, line, finish);
        } catch (err) {
          finish(err as Error);
        }
      }
    : undefined;

  return {
    server,
    nodeEval: originalEval,
    notes,
    setEval(evaluate) {
      const slot: REPLEval = function (code, context, file, callback) {
        return (completing > 0 ? completionEval : evaluate).call(server, code, context, file, callback);
      };
      if (!replace('eval', slot)) fail("the REPL's eval cannot be replaced (the check before each evaluation would not run)");
    },
    setCompleter(complete) {
      const slot: Completer = (line, callback) => {
        complete(line, nodeComplete).then((result) => callback(null, result), (err: Error) => callback(err));
      };
      if (!replace('completer', slot)) fail("the REPL's completer cannot be replaced (Tab would offer methods the department may not call)");
      return (line) => complete(line, nodeComplete);
    },
    onError(handler) {
      errorHandler = handler;
    },
    removeCommand(name) {
      const commands = internals.commands;
      if (commands && typeof commands === 'object') {
        try {
          delete commands[name];
        } catch {
          /* frozen: checked below */
        }
      }
      if (!commands || typeof commands !== 'object' || name in commands) fail(`the REPL's .${name} command cannot be taken away`);
    },
    seedHistory(entries) {
      if (entries.length === 0) return true;
      const wanted = [...entries].reverse(); // the line reader keeps the newest first
      const ok = Array.isArray(internals.history) && replace('history', wanted);
      if (!ok) notes.push(`the Up arrow offers this session's lines only (Node.js ${process.version} does not let earlier ones be restored)`);
      return ok;
    },
  };
}

/**
 * Node.js's REPL, loaded by the first REPL made: a batch makes one only for a
 * statement that needs it, and loading it (with the domain module, whose
 * presence reroutes every event emitted) is a good part of a script's start.
 */
function nodeRepl(): typeof import('node:repl') {
  return createRequire(import.meta.url)('node:repl') as typeof import('node:repl');
}

/**
 * Every check startRepl makes, on a REPL of its own, before the login: a
 * Node.js the shell cannot run on is said before anyone types a password.
 * Returns the fallbacks this Node.js would use.
 */
export function preflightRepl(): string[] {
  const input = new PassThrough();
  const adapted = startRepl({ input, output: new PassThrough(), prompt: '', terminal: true, useColors: false, preview: false, breakEvalOnSigint: true });
  try {
    adapted.setEval((_code, _context, _file, callback) => callback(null, undefined));
    adapted.setCompleter(async (line) => [[], line]);
    adapted.seedHistory(['1']);
    adapted.removeCommand('save');
    return adapted.notes;
  } finally {
    adapted.server.close();
    input.destroy();
  }
}
