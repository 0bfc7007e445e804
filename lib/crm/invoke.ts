/**
 * The one call pipeline (in the spirit of mongosh's wrapWithApiChecks): every
 * call of the API — the shell's, a script's, a test's — is invoke(object,
 * method, args), and each step reads the method's description
 * (lib/crm/describe.ts), never a list of its own:
 *
 *  1. department (`departments`): PermissionDenied, worded here only;
 *  2. arguments (`args`, then `check`): every problem at once, one ValidationError;
 *  3. confirmation (`confirm`): when the caller can ask a person, what the call
 *     will do is said (lib/crm/confirm.ts) and a "no" returns DECLINED;
 *  4. the implementation, given the values read, on read-only deps unless
 *     `writes` (every transaction READ ONLY), its promise handed to `track`
 *     (Ctrl+C waits on the calls in flight);
 *  5. a failure that is not one of our errors is marked as a bug
 *     (markApiFailure: the shell reports it with a reference).
 *
 * Adding a method is its description plus its implementation, in its
 * object's module (CLIENTS and createClients…): the table below is built from
 * both and refuses, at start, one without the other.
 */
import { isEpicError, markApiFailure, PermissionDenied } from '../domain/errors.js';
import type { Actor } from '../domain/actor.js';
import type { MethodDescription, ObjectDescription, ObjectName } from './describe.js';
import { readArgs } from './describe.js';
import { validated } from './validate.js';

/** An implementation: the description's arguments, read. */
export type Implementation = (...values: never[]) => Promise<unknown>;

/** One method: its description and the implementation for writing and for read-only deps. */
export interface MethodEntry {
  readonly name: string;
  readonly description: MethodDescription;
  readonly run: Implementation;
}

/** Every method by the name it is called by: `clients.list`, and `activity`, `find` (functions of the API itself). */
export type MethodTable = ReadonlyMap<string, MethodEntry>;

/** What a call that needs a confirmation returns when the person says no. */
export const DECLINED: unique symbol = Symbol('declined');

/** What the caller brings to one call. */
export interface CallOptions {
  /** A person can be asked y/N (an interactive shell); absent: nobody to ask, the call goes ahead. */
  confirm?: (question: string) => Promise<boolean>;
  /** Only steps 1 and 2: refused as the call would be, else undefined and nothing run (the shell, before it asks a password). */
  checkOnly?: boolean;
}

/**
 * invoke(object, method, args): `object` null for a function of the API
 * itself (activity, find). The result, or DECLINED.
 */
export type Invoke = (object: ObjectName | null, method: string, args: readonly unknown[], options?: CallOptions) => Promise<unknown>;

/** Which calls ask first, and how each says what will happen (lib/crm/confirm.ts); undefined: nothing to ask. */
export type Questions = ReadonlyMap<string, (values: readonly unknown[]) => Promise<string | undefined>>;

export interface Pipeline {
  table: MethodTable;
  actor: () => Actor;
  questions: Questions;
  /** Each call's run, once it begins (after the confirmation): Ctrl+C waits for them (lib/program/session.ts). */
  track?: (call: Promise<unknown>) => void;
  /** Emails where an id is asked, read as ids before the arguments are checked (lib/crm/references.ts). */
  resolve?: (name: string, args: readonly unknown[]) => Promise<readonly unknown[]>;
}

/** The name a method is called by. */
export function callName(object: ObjectName | null, method: string): string {
  return object ? `${object}.${method}` : method;
}

/**
 * The table of one object's methods, checked both ways: a method described
 * but not implemented, or implemented but not described, fails at start.
 */
export function objectEntries(object: ObjectName | null, described: ObjectDescription, impl: object, readOnlyImpl: object): MethodEntry[] {
  const methods = impl as Record<string, unknown>;
  const undescribed = Object.keys(methods).filter((m) => !Object.prototype.hasOwnProperty.call(described, m));
  if (undescribed.length) throw new Error(`${object ?? 'the API'}: ${undescribed.join(', ')} implemented but not described`);
  return Object.entries(described).map(([method, description]) => {
    const name = callName(object, method);
    const fn = (description.writes ? methods : (readOnlyImpl as Record<string, unknown>))[method];
    if (typeof fn !== 'function') throw new Error(`${name} is described but not implemented`);
    return { name, description, run: fn.bind(description.writes ? impl : readOnlyImpl) as Implementation };
  });
}

export function methodTable(entries: readonly MethodEntry[], questions: Questions): MethodTable {
  const table = new Map(entries.map((e) => [e.name, e]));
  for (const e of entries) if (e.description.confirm && !questions.has(e.name)) throw new Error(`${e.name} asks first but lib/crm/confirm.ts has no question for it`);
  for (const name of questions.keys()) if (!table.get(name)?.description.confirm) throw new Error(`lib/crm/confirm.ts has a question for ${name}, whose description does not say confirm: true`);
  return table;
}

/** The refusal of a call a department may not make. */
export function departmentRefusal(department: string, name: string, description: MethodDescription): string {
  return `${department} may not call ${name} (${description.departments.join(' and ')} only)`;
}

export function createInvoke(pipeline: Pipeline): Invoke {
  return async (object, method, args, options = {}) => {
    const name = callName(object, method);
    const entry = pipeline.table.get(name);
    if (!entry) throw new TypeError(`${name} is not a method of the API`);
    const { description } = entry;
    const actor = pipeline.actor();
    if (!description.departments.includes(actor.department)) throw new PermissionDenied(departmentRefusal(actor.department, name, description));
    const given = pipeline.resolve ? await pipeline.resolve(name, args) : args;
    const values = validated((problems) => {
      const read = readArgs(description, given, problems);
      description.check?.(read, problems, actor);
      return read;
    }) as unknown[];
    if (options.checkOnly) return undefined;
    try {
      if (description.confirm && options.confirm) {
        const question = await (pipeline.questions.get(name) as (v: readonly unknown[]) => Promise<string | undefined>)(values);
        if (question !== undefined && !(await options.confirm(question))) return DECLINED;
      }
      const call = entry.run(...(values as never[]));
      pipeline.track?.(call);
      return await call;
    } catch (err) {
      if (!isEpicError(err)) markApiFailure(err);
      throw err;
    }
  };
}
