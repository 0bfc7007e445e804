/** help(), clients.help(), clients.create.help(): generated from the permission table (lib/crm/permissions.ts). */
import { API, OBJECTS, methodSpec, ownershipLabel, permittedMethods, type ObjectName } from '../crm/permissions.js';
import { type Department } from '../domain/departments.js';
import { FIND } from '../crm/find.js';
import { TRASH_EMPTY, TRASH_LIST } from '../crm/trash.js';
import { UNDO } from '../crm/undo.js';

const OBJECT_SUMMARY: Record<ObjectName, string> = {
  clients: 'the clients and their sales contact',
  contracts: 'contracts: amounts, signature',
  events: 'the events of signed contracts and their support contact',
  users: 'collaborators (management)',
  reports: 'revenue, who owes what, the pipeline (sales: your clients)',
  followUps: 'follow-ups of clients: followUps({due: true}), followUps.done(id)',
};

/** Objects this department can do something with (an object with no permitted method is not offered). */
export function visibleObjects(department: Department): ObjectName[] {
  return OBJECTS.filter((o) => permittedMethods(department, o).length > 0);
}

export function overviewHelp(department: Department): string {
  const objects = visibleObjects(department);
  const width = Math.max(...objects.map((o) => o.length), 'export(list, file)'.length);
  const lines = [
    `Objects (you are in ${department}):`,
    ...objects.map((o) => `  ${o.padEnd(width)}  ${OBJECT_SUMMARY[o]}: ${permittedMethods(department, o).join(', ')}`),
    '',
    'Commands:',
    `  ${'whoami()'.padEnd(width)}  who is logged in, and until when`,
    `  ${'activity()'.padEnd(width)}  recent changes, newest first ({by?, since?, object?, limit?}; management: everyone's)`,
    `  ${'find(text)'.padEnd(width)}  ${FIND.description}, e.g. ${FIND.example}`,
    `  ${'trash()'.padEnd(width)}  ${TRASH_LIST.description} ({object?, limit?}); X.delete(id) puts there, X.restore(id) brings back${department === 'management' ? `; ${TRASH_EMPTY.example}` : ''}`,
    `  ${'undo(id)'.padEnd(width)}  ${UNDO.description}, e.g. ${UNDO.example} (the id as history() shows it)`,
    `  ${'help()'.padEnd(width)}  this overview; clients.help(), clients.list.help() for details`,
    `  ${'it'.padEnd(width)}  the next page of the last list`,
    `  ${'export(list, file)'.padEnd(width)}  every page of a list to a file: .csv, .json or .jsonl (export(contracts.list({unpaid: true}), 'unpaid.csv'); {overwrite: true})`,
    `  ${'load(file)'.padEnd(width)}  run a script, statement by statement (also .load file)`,
    `  ${'print(x)'.padEnd(width)}  print a value as the shell does`,
    `  ${'passwordPrompt()'.padEnd(width)}  ask a password without echo: users.create({…, password: passwordPrompt()})`,
    `  ${'passwd()'.padEnd(width)}  change your own password (each one asked without echo)`,
    `  ${'config'.padEnd(width)}  settings that stay: config.get(), config.set('pageSize', 50), config.reset(name)`,
    `  ${'exit, quit'.padEnd(width)}  leave (the token stays); clear, cls: clear the screen`,
    `  ${'logout()'.padEnd(width)}  forget the stored token and leave`,
    '',
    "Results are awaited for you: clients.list() prints rows; list({columns: ['id', 'total']}) or {columns: 'all'} chooses columns. Tab completes names.",
  ];
  return lines.join('\n');
}

export function objectHelp(department: Department, object: ObjectName): string {
  const methods = permittedMethods(department, object);
  if (methods.length === 0) return `${object}: nothing you may call in ${department}`;
  const lines = [`${object} (${department} may call):`];
  for (const m of methods) {
    const spec = API[object][m];
    lines.push(`  ${object}.${m}(${spec.args})`, `      ${spec.description}`, `      e.g. ${spec.example}`);
  }
  return lines.join('\n');
}

export function methodHelp(department: Department, object: ObjectName, method: string): string {
  const spec = methodSpec(object, method);
  if (!spec) return `${object}.${method}: no such method`;
  const lines = [`${object}.${method}(${spec.args})`, `  ${spec.description}`, `  e.g. ${spec.example}`];
  if (spec.filters) lines.push(`  filters: ${spec.filters.join(', ')}`);
  const who = spec.departments.map((d) => (spec.ownership?.[d] ? `${d} (${ownershipLabel(spec.ownership[d]!)})` : d)).join(', ');
  lines.push(`  who may call it: ${who}${spec.departments.includes(department) ? '' : ` — not ${department}`}`);
  return lines.join('\n');
}
