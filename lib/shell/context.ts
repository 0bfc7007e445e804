/**
 * What the REPL context holds: clients, contracts, events, users, reports (only the
 * permitted methods visible; a bare one lists them; a mistyped method:
 * lib/shell/names.ts), whoami(), find(text), help(), logout(), load(file), print(x),
 * export(list, file), config (settings), exit()/quit(), clear()/cls(), it. The
 * names cannot be reassigned or redeclared (non-configurable accessors whose
 * setter refuses) and are put back after `.clear`.
 */
import util from 'node:util';
import type { Context } from 'node:vm';
import { isEpicError, markApiFailure } from '../domain/errors.js';
import type { Department } from '../domain/departments.js';
import { API, OBJECTS, mayCall, permittedMethods, type ObjectName } from '../crm/permissions.js';
import { DECLINED, type CallOptions } from '../crm/invoke.js';
import { ExitRequest } from './engine.js';
import { methodHelp, objectHelp, overviewHelp } from './help.js';
import { LISTING, ShellText, withColumns } from './output.js';
import { exportList } from './export.js';
import { EXPORT_ALIAS } from './tokens.js';
import type { Login } from './login.js';
import { checkColumns, type Settings } from './settings.js';
import { hasPrompt, passwordPromptOf, PROMPT_STAND_IN, settledArguments } from './password-prompt.js';
import { isPage } from '../crm/page.js';
import { CALLED_AS_LIST } from '../crm/objects.js';

export interface ShellCommands {
  logout: () => Promise<void>;
  load: (file: unknown) => Promise<void>;
  print: (...values: unknown[]) => void;
  /** Ask a password, hidden (each front-end its way: lib/shell/repl.ts, batch.ts); see passwordPromptOf. */
  askSecret: (question: string) => Promise<string>;
  /** config.get/set/reset, the page size and columns of lists. */
  settings: Settings;
  /** clear()/cls(): clear the terminal (nothing when the output is not one). */
  clear: () => void;
  /**
   * How a call that cannot be undone is confirmed now: asked y/N at the
   * prompt (lib/shell/runtime.ts); undefined: nobody is asked (scripts,
   * --eval, a loaded file).
   */
  confirm: () => CallOptions['confirm'];
  /** passwd(): change one's own password, every answer asked without echo. */
  passwd: (...args: unknown[]) => Promise<ShellText>;
}

/** What a declined confirmation returns. */
export const CANCELLED = new ShellText('Cancelled: nothing was changed.');

/** The list options the shell takes for itself (the columns shown; the page size from the settings). */
function listArguments(object: ObjectName, method: string, args: unknown[], settings: Settings): { args: unknown[]; columns?: ReturnType<typeof checkColumns> } {
  const filters = API[object][method].filters;
  if (!filters) return { args };
  const [first, ...rest] = args;
  if (first !== undefined && (typeof first !== 'object' || first === null || Array.isArray(first))) return { args };
  const { columns, ...given } = (first ?? {}) as Record<string, unknown>;
  const chosen = columns === undefined ? undefined : checkColumns(object, columns);
  const withLimit = filters.includes('limit') && given.limit === undefined ? { ...given, limit: settings.pageSize } : given;
  return { args: [withLimit, ...rest], columns: chosen };
}

/** clients, contracts, events, users as the shell shows them. */
class ShellObject {}

/**
 * One call from the shell: its passwordPrompt() answers awaited, then the
 * pipeline (login.invoke: department, arguments, confirmation, the call); a
 * failure of the shell's own part that is none of our errors is a bug too.
 */
async function shellCall(login: Login, commands: ShellCommands, object: ObjectName | null, method: string, args: unknown[]): Promise<unknown> {
  let settled: unknown[];
  try {
    // A call that will be refused is refused before any password is asked.
    if (hasPrompt(args)) await login.invoke(object, method, await settledArguments(args, PROMPT_STAND_IN), { checkOnly: true });
    settled = await settledArguments(args);
  } catch (err) {
    if (!isEpicError(err)) markApiFailure(err);
    throw err;
  }
  const result = await login.invoke(object, method, settled, { confirm: commands.confirm() });
  return result === DECLINED ? CANCELLED : result;
}

function shellObject(login: Login, object: ObjectName, commands: ShellCommands): object {
  const department = login.actor().department;
  // Not a plain object: the output never takes it for a record (its methods as fields).
  const shown = (CALLED_AS_LIST.includes(object)
    ? (...args: unknown[]) => (shown.list as (...a: unknown[]) => Promise<unknown>)(...args)
    : new ShellObject()) as unknown as Record<string | symbol, unknown>;
  for (const method of Object.keys(API[object])) {
    const call = async (...given: unknown[]) => {
      const { args, columns } = listArguments(object, method, given, commands.settings);
      const result = await shellCall(login, commands, object, method, args);
      return columns !== undefined && isPage(result) ? withColumns(result, columns) : result;
    };
    const spec = API[object][method];
    Object.defineProperty(call, 'name', { value: `${object}.${method}` });
    Object.defineProperty(call, 'help', { value: () => new ShellText(methodHelp(department, object, method)), enumerable: false });
    Object.defineProperty(call, util.inspect.custom, { value: () => `${object}.${method}(${spec.args}) — ${object}.${method}.help()` });
    // Methods this department may not call stay reachable (they answer PermissionDenied) but are not listed or completed.
    Object.defineProperty(shown, method, { value: Object.freeze(call), enumerable: mayCall(department, object, method) });
  }
  Object.defineProperty(shown, 'help', { value: () => new ShellText(objectHelp(department, object)), enumerable: false });
  // Typed bare: the methods this department may call, one a line (never the wrappers' source).
  Object.defineProperty(shown, util.inspect.custom, { value: () => methodList(department, object) });
  Object.defineProperty(shown, LISTING, { value: (width?: number) => methodList(department, object, width) });
  return Object.freeze(shown);
}

/**
 * A bare object as the shell shows it: each permitted method with its
 * arguments and what it does, one a line, cut to the terminal's width.
 */
function methodList(department: Department, object: ObjectName, width?: number): string {
  const methods = permittedMethods(department, object);
  if (methods.length === 0) return `${object}: nothing you may call in ${department}`;
  const calls = methods.map((m) => `${object}.${m}(${API[object][m].args})`);
  const callWidth = Math.max(...calls.map((c) => c.length));
  // Each description after its call, wrapped under itself (render fits it); under the call when the calls are wide.
  const beside = width === undefined || callWidth + 2 <= width / 2;
  const line = (call: string, description: string) => (beside ? `${call.padEnd(callWidth)}  ${description}` : `${call}\n    ${description}`);
  return [...calls.map((c, i) => line(c, API[object][methods[i]].description)), `${object}.help() for examples`].join('\n');
}

/** A reminder rather than a value: typing `it` is handled by the evaluator. */
const itMarker = new ShellText('"it" shows the next page of the last list (type it on its own)');

export function contextValues(login: Login, commands: ShellCommands): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const object of OBJECTS) values[object] = shellObject(login, object, commands);
  values.whoami = () => {
    const a = login.actor();
    return { id: a.id, email: a.email, fullName: a.fullName, department: a.department, sessionExpiresAt: a.sessionExpiresAt };
  };
  values.activity = (...args: unknown[]) => shellCall(login, commands, null, 'activity', args);
  values.find = (...args: unknown[]) => shellCall(login, commands, null, 'find', args);
  values.undo = (...args: unknown[]) => shellCall(login, commands, null, 'undo', args);
  values.trash = Object.assign((...args: unknown[]) => shellCall(login, commands, null, 'trash', args), {
    empty: (...args: unknown[]) => shellCall(login, commands, null, 'trash.empty', args),
  });
  values.help = () => new ShellText(overviewHelp(login.actor().department));
  values.logout = commands.logout;
  values.load = commands.load;
  values.print = commands.print;
  values.passwordPrompt = passwordPromptOf(commands.askSecret, (line) => commands.print(line));
  values.passwd = commands.passwd;
  values.it = itMarker;
  // export(list, file): the shell reads the reserved word as this name (lib/shell/tokens.ts shellSyntax).
  values[EXPORT_ALIAS] = exportList;
  values.config = settingsObject(commands.settings);
  const leave = (code: unknown = 0) => {
    if (code !== 0 && !(Number.isInteger(code) && (code as number) > 0 && (code as number) < 126)) throw new TypeError('exit(code) takes a whole number from 0 to 125');
    throw new ExitRequest(code as number);
  };
  values.exit = leave;
  values.quit = leave;
  values.clear = commands.clear;
  values.cls = commands.clear;
  return values;
}

/** config.get(): each setting under the name config.set takes (`pageSize`, not "page size"), its value as one types it; --json: the object. */
function settingsListing(values: Record<string, unknown>): object {
  const width = Math.max(...Object.keys(values).map((k) => k.length));
  const text = () => Object.entries(values).map(([k, v]) => `${k.padEnd(width)}  ${util.inspect(v)}`).join('\n');
  return Object.freeze({ toJSON: () => values, [LISTING]: text, [util.inspect.custom]: text });
}

/** config.get(name?), config.set(name, value), config.reset(name?): lib/shell/settings.ts. */
function settingsObject(settings: Settings): object {
  const config = {
    get: (name?: unknown) => (name === undefined ? settingsListing(settings.get() as Record<string, unknown>) : settings.get(name)),
    set: (name: unknown, value: unknown) => {
      const kept = settings.set(name, value);
      return new ShellText(`${String(name)} is now ${JSON.stringify(kept)}${settings.file ? ' (saved)' : ' (for this session)'}`);
    },
    reset: (name?: unknown) => {
      settings.reset(name);
      return new ShellText(name === undefined ? 'Every setting is back to its default.' : `${String(name)} is back to ${JSON.stringify(settings.get(name))}`);
    },
    help: () => new ShellText(settingsHelp()),
  };
  Object.defineProperty(config, 'help', { enumerable: false });
  Object.defineProperty(config, util.inspect.custom, { value: () => settingsHelp() });
  return Object.freeze(config);
}

function settingsHelp(): string {
  return [
    "config.get()                     every setting; config.get('pageSize') one",
    "config.set('pageSize', 50)       rows a list fetches at a time (1 to 500)",
    "config.set('columns.contracts', ['id', 'client', 'total'])   or 'all', 'default'",
    "config.set('expanded', 'auto')   one record after another when a table does not fit: auto, on, off",
    "config.set('pager', 'auto')      long output through $PAGER (else less -FRSX); 'off', or a command",
    "config.set('color', 'auto')      auto, on, off",
    "config.set('dateFormat', 'DD/MM/YYYY HH:mm')   or 'local', 'iso'",
    "config.set('notices', false)     no notices above the prompt (true: shown)",
    "config.reset('pageSize')         back to the default (config.reset(): all)",
  ].join('\n');
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
