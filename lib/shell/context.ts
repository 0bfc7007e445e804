/**
 * What the REPL context holds: clients, contracts, events, users (only the
 * permitted methods visible), whoami(), help(), logout(), load(file),
 * print(x), it. The names cannot be reassigned or redeclared (non-configurable
 * accessors whose setter refuses) and are put back after `.clear`.
 */
import util from 'node:util';
import type { Context } from 'node:vm';
import { PermissionDenied, isEpicError } from '../errors.js';
import { API, OBJECTS, mayCall, type ObjectName } from '../permissions.js';
import { markApiFailure } from './errors.js';
import { ASKS_FIRST } from '../crm/confirm.js';
import { methodHelp, objectHelp, overviewHelp } from './help.js';
import { ShellText } from './output.js';
import type { Login } from './login.js';

export interface ShellCommands {
  logout: () => Promise<void>;
  load: (file: unknown) => Promise<void>;
  print: (...values: unknown[]) => void;
  /** Ask a password, hidden (each front-end its way: lib/shell/repl.ts, batch.ts); see passwordPromptOf. */
  askSecret: (question: string) => Promise<string>;
  /**
   * Whether a call that cannot be undone may go ahead (asked y/N at the
   * prompt; lib/shell/runtime.ts). Absent: never asked (scripts, --eval).
   */
  confirm?: (object: string, method: string, args: readonly unknown[]) => Promise<boolean>;
  /** passwd(): change one's own password, every answer asked without echo. */
  passwd: (...args: unknown[]) => Promise<ShellText>;
}

/** Answers of passwordPrompt() not yet given: a call's argument may hold one (users.create({password: passwordPrompt()})). */
const pendingPrompts = new WeakSet<object>();

/**
 * passwordPrompt(question?) for the context: asks a password without echo
 * and resolves it, so it is never in a line typed, the history or `ps`.
 */
export function passwordPromptOf(askSecret: ShellCommands['askSecret']): (question?: unknown) => Promise<string> {
  return (question = 'Password: ') => {
    const answer = askSecret(String(question));
    pendingPrompts.add(answer);
    answer.catch(() => undefined); // a call refused before it awaited the answer: not a stray fault
    return answer;
  };
}

/**
 * The arguments of an API call with each passwordPrompt() answer in a plain
 * object's field awaited: the password is asked before the call runs.
 */
async function settledArguments(args: unknown[]): Promise<unknown[]> {
  return Promise.all(args.map(async (arg) => {
    if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) return arg;
    const entries = Object.entries(arg);
    if (!entries.some(([, v]) => typeof v === 'object' && v !== null && pendingPrompts.has(v))) return arg;
    const settled: Record<string, unknown> = {};
    for (const [k, v] of entries) settled[k] = typeof v === 'object' && v !== null && pendingPrompts.has(v) ? await v : v;
    return settled;
  }));
}

type ApiMethod = (...args: unknown[]) => Promise<unknown>;

/** What a declined confirmation returns. */
export const CANCELLED = new ShellText('Cancelled: nothing was changed.');

function shellObject(login: Login, object: ObjectName, confirm: ShellCommands['confirm']): object {
  const department = login.actor().department;
  const impl = login.api[object] as Record<string, unknown>;
  const shown: Record<string | symbol, unknown> = {};
  for (const method of Object.keys(API[object])) {
    const call = async (...args: unknown[]) => {
      const fn = impl[method];
      if (typeof fn !== 'function') {
        throw new PermissionDenied(`${login.actor().department} may not call ${object}.${method} (${API[object][method].departments.join(' and ')} only)`);
      }
      try {
        const settled = await settledArguments(args);
        if (confirm && ASKS_FIRST.has(`${object}.${method}`) && mayCall(department, object, method) && !(await confirm(object, method, settled))) return CANCELLED;
        return await (fn as ApiMethod).apply(impl, settled);
      } catch (err) {
        if (!isEpicError(err)) markApiFailure(err);
        throw err;
      }
    };
    const spec = API[object][method];
    Object.defineProperty(call, 'name', { value: `${object}.${method}` });
    Object.defineProperty(call, 'help', { value: () => new ShellText(methodHelp(department, object, method)), enumerable: false });
    Object.defineProperty(call, util.inspect.custom, { value: () => `${object}.${method}(${spec.args}) — ${object}.${method}.help()` });
    // Methods this department may not call stay reachable (they answer PermissionDenied) but are not listed or completed.
    Object.defineProperty(shown, method, { value: Object.freeze(call), enumerable: mayCall(department, object, method) });
  }
  Object.defineProperty(shown, 'help', { value: () => new ShellText(objectHelp(department, object)), enumerable: false });
  Object.defineProperty(shown, util.inspect.custom, {
    value: () => `${object} { ${Object.keys(shown).join(', ')} } — ${object}.help()`,
  });
  return Object.freeze(shown);
}

/** A reminder rather than a value: typing `it` is handled by the evaluator. */
const itMarker = new ShellText('"it" shows the next page of the last list (type it on its own)');

export function contextValues(login: Login, commands: ShellCommands): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const object of OBJECTS) values[object] = shellObject(login, object, commands.confirm);
  values.whoami = () => {
    const a = login.actor();
    return { id: a.id, email: a.email, fullName: a.fullName, department: a.department, sessionExpiresAt: a.sessionExpiresAt };
  };
  values.activity = async (filter?: object) => {
    if (!login.api.activity) throw new PermissionDenied('activity() is not available in this session');
    try {
      return await login.api.activity(filter);
    } catch (err) {
      if (!isEpicError(err)) markApiFailure(err);
      throw err;
    }
  };
  values.help = () => new ShellText(overviewHelp(login.actor().department));
  values.logout = commands.logout;
  values.load = commands.load;
  values.print = commands.print;
  values.passwordPrompt = passwordPromptOf(commands.askSecret);
  values.passwd = commands.passwd;
  values.it = itMarker;
  return values;
}

export function injectContext(context: Context, values: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(values)) {
    Object.defineProperty(context, name, {
      get: () => value,
      set: () => {
        throw new TypeError(`${name} belongs to the shell and cannot be reassigned (choose another name)`);
      },
      enumerable: true,
      configurable: false,
    });
  }
}
