/**
 * How an API method is described, once, beside its implementation (in the
 * spirit of mongosh's shell-api metadata): who may call it, the ownership rule
 * per department, its arguments with the very validators the call uses, its
 * help text and an example.
 *
 * Everything else is derived from the description: the call pipeline
 * (lib/crm/invoke.ts: department, arguments, confirmation, read-only
 * transactions), help() and Tab completion (lib/crm/permissions.ts feeds
 * lib/shell/) and the ownership refusal (lib/crm/ownership.ts). An
 * implementation receives its arguments already read (`readArgs` below).
 * Query parameters are bound by name (`bind` in lib/db/sql.ts, against the
 * `-- params:` line of each query).
 */
import { DEPARTMENTS, type Department } from '../domain/departments.js';
import type { Actor } from '../domain/actor.js';
import { fieldsOf, type Problems } from './validate.js';

import { OBJECTS, type ObjectName } from './objects.js';

export { OBJECTS, type ObjectName };

/** Every department may call it. */
export const EVERYONE: readonly Department[] = DEPARTMENTS;

/** Extra rule on top of the department (lib/crm/ownership.ts says what each means). */
export type Ownership =
  | 'ownClient' // sales: the client's sales contact is the caller
  | 'ownClientContract' // sales: the contract's client's sales contact is the caller
  | 'assignedEvent'; // support: the event's support contact is the caller

/** A validator in the shape of lib/crm/validate.ts: the value normalised, or undefined with a problem recorded. */
export type Check<T> = (value: unknown, field: string, problems: Problems) => T | undefined;

/** One key of an argument object. */
export interface Field<T = unknown, Required extends boolean = boolean> {
  readonly check: Check<T>;
  readonly required: Required;
}

/** A key that must be given. */
export function need<T>(check: Check<T>): Field<T, true> {
  return { check, required: true };
}

/** A key that may be left out (it then reads as undefined). */
export function may<T>(check: Check<T>): Field<T, false> {
  return { check, required: false };
}

export type Schema = { readonly [key: string]: Field };

/** A positional argument: an id, an email… */
export interface ValueArg<T = unknown> {
  readonly kind: 'value';
  readonly name: string;
  readonly check: Check<T>;
  readonly optional: boolean;
}

/** An argument object whose keys are the schema's, and only those. */
export interface FieldsArg<S extends Schema = Schema> {
  readonly kind: 'fields';
  /** The name problems with the object itself are reported under ('filters', 'changes'…). */
  readonly name: string;
  readonly schema: S;
  readonly optional: boolean;
  /** A better message than "not a known field" for a key that exists elsewhere. */
  readonly hints?: { readonly [key: string]: string };
  /** At least one key must be given (an update that changes nothing is a mistake). */
  readonly atLeastOne?: boolean;
}

export type Arg = ValueArg<any> | FieldsArg<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function value<T>(name: string, check: Check<T>, options: { optional?: boolean } = {}): ValueArg<T> {
  return { kind: 'value', name, check, optional: options.optional ?? false };
}

export function fields<const S extends Schema>(
  name: string,
  schema: S,
  options: { optional?: boolean; hints?: { readonly [key: string]: string }; atLeastOne?: boolean } = {},
): FieldsArg<S> {
  return { kind: 'fields', name, schema, optional: options.optional ?? false, hints: options.hints, atLeastOne: options.atLeastOne };
}

/** A field of a record a method returns: its TypeScript type, and what it means (the declarations' doc comment). */
export type ResultField = string | readonly [type: string, doc: string] | OptionalField;

/** A field the record has only sometimes (users.update's `moved`): `name?: type` in the declarations. */
export type OptionalField = readonly [type: string, doc: string, optional: 'optional'];

type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

/** A record methods return, named as the declarations of `epic-events types` name it (lib/shell/declarations.ts). */
export interface RecordDescription {
  readonly name: string;
  readonly fields: { readonly [field: string]: ResultField };
}

/** A record's description: every field of T (TypeScript refuses one missing or extra, and an optional one not said to be), in T's order. */
export function record<T>(name: string, fields: { readonly [K in keyof Required<T>]: K extends OptionalKeys<T> ? OptionalField : Exclude<ResultField, OptionalField> }): RecordDescription {
  return { name, fields };
}

/**
 * What a method returns: one record, a page or an array of them, a TypeScript
 * type of its own ('void', 'number'), or one of those by the value of a key of
 * its argument object (reports.revenue's `by`).
 */
export type Returns =
  | { readonly kind: 'one' | 'page' | 'array'; readonly record: RecordDescription }
  | { readonly kind: 'type'; readonly type: string }
  | { readonly kind: 'byKey'; readonly key: string; readonly cases: { readonly [value: string]: Returns } };

export const one = (r: RecordDescription): Returns => ({ kind: 'one', record: r });
export const pageOf = (r: RecordDescription): Returns => ({ kind: 'page', record: r });
export const arrayOf = (r: RecordDescription): Returns => ({ kind: 'array', record: r });
export const typed = (type: string): Returns => ({ kind: 'type', type });
export const byKey = (key: string, cases: { readonly [value: string]: Returns }): Returns => ({ kind: 'byKey', key, cases });

export interface MethodDescription<A extends readonly Arg[] = readonly Arg[]> {
  readonly departments: readonly Department[];
  /** Ownership rule applying to a department (absent: any record). */
  readonly ownership?: Partial<Record<Department, Ownership>>;
  /** false: every transaction of the call is READ ONLY (lib/crm/invoke.ts gives the implementation read-only deps). */
  readonly writes: boolean;
  /** It cannot be undone: an interactive shell says what it will do and asks y/N first (the question: lib/crm/confirm.ts). */
  readonly confirm?: boolean;
  readonly args: A;
  /**
   * Problems between arguments (an end before its start), recorded with the
   * arguments' own, so that a call hears of every problem at once. Run on the
   * values as read (a value that failed its check is undefined).
   */
  check?(values: ArgValues<A>, problems: Problems, actor: Actor): void;
  /** What it returns (the fields of `epic-events types`' declarations). */
  readonly returns: Returns;
  /** One line for help(). */
  readonly description: string;
  readonly example: string;
}

export type ObjectDescription = { readonly [method: string]: MethodDescription };

/** Describe a method (keeps the argument tuple's types for readArgs). */
export function method<const A extends readonly Arg[]>(description: MethodDescription<A>): MethodDescription<A> {
  return description;
}

export type FieldValues<S extends Schema> = {
  [K in keyof S]: S[K] extends Field<infer T, infer R> ? (R extends true ? T : T | undefined) : never;
};

type ArgValue<A> = A extends ValueArg<infer T>
  ? (A['optional'] extends true ? T | undefined : T)
  : A extends FieldsArg<infer S> ? FieldValues<S> : never;

export type ArgValues<A extends readonly Arg[]> = { -readonly [I in keyof A]: ArgValue<A[I]> };

/**
 * The call's arguments, validated against the description: every problem is
 * recorded in `problems` (the caller's `validated` throws them as one
 * ValidationError); keys outside a schema are refused by name. The
 * description's `check` is not run here (lib/crm/invoke.ts runs both).
 */
export function readArgs<const A extends readonly Arg[]>(description: MethodDescription<A>, raw: readonly unknown[], problems: Problems): ArgValues<A> {
  return description.args.map((arg, i) => readArg(arg, raw[i], problems)) as ArgValues<A>;
}

/** What an implementation of a method described by D receives: its arguments as read (lib/crm/invoke.ts). */
export type Values<D> = D extends MethodDescription<infer A> ? ArgValues<A> : never;

function readArg(arg: Arg, given: unknown, problems: Problems): unknown {
  if (arg.kind === 'value') {
    if (given === undefined) {
      if (!arg.optional) problems.add(arg.name, 'is required');
      return undefined;
    }
    return arg.check(given, arg.name, problems);
  }
  const keys = Object.keys(arg.schema);
  const before = problems.list.length;
  const f = fieldsOf(given, arg.name, keys, problems, arg.hints);
  const isObject = given !== undefined && problems.list.length === before || Object.keys(f).length > 0;
  if (given === undefined && !arg.optional) problems.add(arg.name, `must be an object such as {${keys.slice(0, 2).join(', ')}}`);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const field = arg.schema[key];
    const v = f[key];
    if (v === undefined) {
      if (field.required && given !== undefined) problems.add(key, 'is required');
      out[key] = undefined;
    } else {
      // null is a value here (it clears an optional field); undefined means the check recorded a problem.
      out[key] = field.check(v, key, problems);
    }
  }
  if (arg.atLeastOne && isObject && Object.keys(f).length === 0) {
    problems.add(arg.name, `must name at least one field to change (${keys.join(', ')})`);
  }
  return out;
}

/** The argument list as help shows it: `id, {fullName?, email?}`. */
export function argsText(description: MethodDescription): string {
  return description.args.map((arg) => {
    if (arg.kind === 'value') return arg.optional ? `${arg.name}?` : arg.name;
    const keys = Object.entries(arg.schema as Schema).map(([k, f]) => (f.required ? k : `${k}?`));
    return `{${keys.join(', ')}}`;
  }).join(', ');
}

/** The keys of the method's first argument object (what completion offers inside `list({`). */
export function objectKeys(description: MethodDescription): string[] {
  const arg = description.args.find((a): a is FieldsArg => a.kind === 'fields');
  return arg ? Object.keys(arg.schema) : [];
}
