/**
 * The department matrix as the shell reads it: help() (what to show), Tab
 * completion (what to offer) and the shell's objects (what to list). It is
 * derived from the method descriptions beside each implementation
 * (lib/crm/describe.ts, CLIENTS in lib/crm/clients.ts…), which the guard
 * and validation read too, so none of them can disagree.
 */
import type { Department } from '../domain/departments.js';
import { DESCRIPTIONS } from './api.js';
import { argsText, objectKeys, OBJECTS, type FieldsArg, type MethodDescription, type ObjectName, type Ownership } from './describe.js';
import { OWNERSHIP } from './ownership.js';
import { sortKeysOf } from './sort.js';

export { OBJECTS, type ObjectName, type Ownership };

/** A method description as help and completion read it: the argument list as text. */
export interface MethodSpec extends Omit<MethodDescription, 'args'> {
  /** The argument list as help shows it: `id, {fullName?, email?}`. */
  readonly args: string;
  /** Keys of the filter object (list methods), offered by completion inside `list({`. */
  readonly filters?: readonly string[];
  /** What `sort:` takes (list methods), offered by completion inside `list({sort: '`. */
  readonly sortKeys?: readonly string[];
}

function spec(name: string, d: MethodDescription): MethodSpec {
  const fields = d.args.find((a): a is FieldsArg => a.kind === 'fields');
  return { ...d, args: argsText(d), ...(name === 'list' ? { filters: objectKeys(d), sortKeys: fields ? sortKeysOf(fields.schema) : [] } : {}) };
}

export const API: { readonly [O in ObjectName]: { readonly [method: string]: MethodSpec } } = Object.fromEntries(
  OBJECTS.map((o) => [o, Object.fromEntries(Object.entries(DESCRIPTIONS[o]).map(([m, d]) => [m, spec(m, d)]))]),
) as { [O in ObjectName]: { [method: string]: MethodSpec } };

export function methodSpec(object: ObjectName, method: string): MethodSpec | undefined {
  return Object.prototype.hasOwnProperty.call(API[object], method) ? API[object][method] : undefined;
}

export function mayCall(department: Department, object: ObjectName, method: string): boolean {
  return methodSpec(object, method)?.departments.includes(department) ?? false;
}

/** The methods of an object a department may call, in table order. */
export function permittedMethods(department: Department, object: ObjectName): string[] {
  return Object.keys(API[object]).filter((m) => mayCall(department, object, m));
}

/** How help() words an ownership rule: `own clients only`. */
export function ownershipLabel(rule: Ownership): string {
  return OWNERSHIP[rule].label;
}
