/**
 * The permission wrapper: every API method is checked against its
 * description's departments (lib/crm/describe.ts) before its implementation
 * runs. Ownership rules are checked by the implementations, against the
 * current row, in the write's transaction (lib/crm/ownership.ts).
 */
import { PermissionDenied } from '../domain/errors.js';
import type { Actor } from '../domain/actor.js';
import type { ObjectDescription, ObjectName } from './describe.js';

type AsyncMethods = Record<string, (...args: never[]) => Promise<unknown>>;

export function guard<T extends AsyncMethods>(object: ObjectName, described: ObjectDescription, impl: T, actor: () => Actor): T {
  const undescribed = Object.keys(impl).filter((m) => !Object.prototype.hasOwnProperty.call(described, m));
  if (undescribed.length) throw new Error(`${object}.${undescribed.join(', ')} implemented but not described`);
  const guarded: Record<string, unknown> = {};
  for (const [method, description] of Object.entries(described)) {
    const fn = impl[method];
    if (typeof fn !== 'function') throw new Error(`${object}.${method} is described but not implemented`);
    guarded[method] = async (...args: never[]) => {
      const who = actor();
      if (!description.departments.includes(who.department)) {
        throw new PermissionDenied(`${who.department} may not call ${object}.${method} (${description.departments.join(' and ')} only)`);
      }
      return fn.apply(impl, args);
    };
  }
  return guarded as T;
}
