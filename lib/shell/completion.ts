/**
 * Tab completion for the shell's own names, from the permission table: object
 * names, the methods the department may call, `help`, filter keys inside
 * `list({` and sort keys inside `sort: '`. Pure string work: it never evaluates anything, so it never runs
 * the gate, a query or a monitor call. Other expressions go to Node's own
 * completer only when they contain no call (Node evaluates the expression).
 */
import { API, OBJECTS, permittedMethods, type ObjectName } from '../crm/permissions.js';
import { type Department } from '../domain/departments.js';
import { visibleObjects } from './help.js';
import { completeChoice } from './choices.js';
import type { Login } from './login.js';
import type { Completer, Completion } from './repl-adapter.js';

/** Names the shell puts in the context (besides the objects). */
export const SHELL_FUNCTIONS = ['whoami', 'help', 'activity', 'find', 'trash', 'undo', 'logout', 'load', 'print', 'passwordPrompt', 'passwd', 'it', 'config', 'exit', 'quit', 'clear', 'cls'] as const;

/** config.get/set/reset (lib/shell/settings.ts). */
const CONFIG_METHODS = ['get', 'set', 'reset'];

const OBJECT_ALT = OBJECTS.join('|');
const METHOD_RE = new RegExp(`(?:^|[^\\w$.])(${OBJECT_ALT})\\.([\\w$]*)$`);
const METHOD_HELP_RE = new RegExp(`(?:^|[^\\w$.])(${OBJECT_ALT})\\.([\\w$]+)\\.([\\w$]*)$`);
const LIST_ARGS_RE = new RegExp(`(?:^|[^\\w$.])(${OBJECT_ALT})\\.list\\(\\s*\\{([^}]*)$`);
const IDENTIFIER_RE = /(?:^|[^\w$.])([A-Za-z_$][\w$]*)$/;

function isObjectName(name: string): name is ObjectName {
  return (OBJECTS as readonly string[]).includes(name);
}

/**
 * Our completion for `line`, or undefined when the line is not about the
 * shell's names (then Node's completer may handle globals and user variables).
 */
export function completeShellLine(line: string, department: Department): Completion | undefined {
  const choice = completeChoice(line);
  if (choice) return choice;
  const inList = LIST_ARGS_RE.exec(line);
  if (inList && isObjectName(inList[1])) {
    const object = inList[1];
    if (!permittedMethods(department, object).includes('list')) return [[], ''];
    const args = inList[2];
    // A sort key inside its quotes: `sort: '-sta` offers '-startAt'.
    const sortValue = /(?:^|,)\s*sort\s*:\s*['"](-?)([\w$]*)$/.exec(args);
    if (sortValue) {
      const [, dash, typed] = sortValue;
      return [(API[object].list.sortKeys ?? []).filter((k) => k.startsWith(typed)).map((k) => `${dash}${k}`), `${dash}${typed}`];
    }
    // Only at a key position: after `{` or `,`, not inside a value.
    const key = /(?:^|,)\s*([\w$]*)$/.exec(args);
    if (!key) return [[], ''];
    const used = new Set([...args.matchAll(/([\w$]+)\s*:/g)].map((m) => m[1]));
    // `columns` is the shell's own option (which columns the list shows), beside the method's filters.
    const filters = [...(API[object].list.filters ?? []), 'columns'].filter((f) => !used.has(f) && f.startsWith(key[1]));
    return [filters, key[1]];
  }
  const methodHelp = METHOD_HELP_RE.exec(line);
  if (methodHelp && isObjectName(methodHelp[1])) {
    const allowed = permittedMethods(department, methodHelp[1]).includes(methodHelp[2]);
    return [allowed && 'help'.startsWith(methodHelp[3]) ? ['help'] : [], methodHelp[3]];
  }
  const method = METHOD_RE.exec(line);
  if (method && isObjectName(method[1])) {
    const names = [...permittedMethods(department, method[1]), 'help'].filter((m) => m.startsWith(method[2]));
    return [names, method[2]];
  }
  const setting = /(?:^|[^\w$.])config\.([\w$]*)$/.exec(line);
  if (setting) return [CONFIG_METHODS.filter((m) => m.startsWith(setting[1])), setting[1]];
  if (line.trim() === '') return undefined;
  // `it.`, `whoami.`… : nothing to offer, and nothing to evaluate.
  if (new RegExp(`(?:^|[^\\w$.])(${SHELL_FUNCTIONS.join('|')})\\.[\\w$.]*$`).test(line)) return [[], ''];
  return undefined;
}

/** Our own names starting with the identifier being typed (merged with Node's globals). */
export function shellNamesFor(line: string, department: Department): Completion | undefined {
  const ident = IDENTIFIER_RE.exec(line);
  if (!ident) return undefined;
  const names = [...visibleObjects(department), ...SHELL_FUNCTIONS].filter((n) => n.startsWith(ident[1]));
  return [names, ident[1]];
}

/**
 * Node's completer evaluates the expression before the last dot. Let it do so
 * only for plain dotted names (no call, no index, no template): completion
 * must never run a query.
 */
export function safeToDelegate(line: string): boolean {
  const tail = /[\w$.?]*$/.exec(line)?.[0] ?? '';
  const before = line.slice(0, line.length - tail.length);
  if (!tail.includes('.')) return true;
  return !/[)\]'"`]$/.test(before);
}

/**
 * Tab in the shell: our names first (the department's methods, filter keys),
 * then Node's completer (`node`, undefined where it cannot be used) for
 * globals and the user's variables, when the line is safe to hand it.
 */
export function shellCompleter(login: Login): (line: string, node: Completer | undefined) => Promise<Completion> {
  return (line, node) => {
    const department = login.actor().department;
    const ours = completeShellLine(line, department);
    if (ours) return Promise.resolve(ours);
    if (!safeToDelegate(line)) return Promise.resolve([[], line]);
    const names = shellNamesFor(line, department);
    if (!node) return Promise.resolve(names ?? [[], line]);
    return new Promise((resolve) => {
      node(line, (err, result) => {
        if (err || !result) return resolve(names ?? [[], line]);
        if (!names) return resolve(result);
        // Node lists our accessors too, methods and all: keep its globals, put ours first without duplicates.
        const merged = [...names[0], ...result[0].filter((n) => n !== '' && !names[0].includes(n) && !isShellName(n))];
        resolve([merged, names[1]]);
      });
    });
  };
}

function isShellName(name: string): boolean {
  return (OBJECTS as readonly string[]).includes(name) || (SHELL_FUNCTIONS as readonly string[]).includes(name);
}
