/**
 * The permission wrapper: every API method is checked against the department
 * matrix (lib/permissions.ts) before its implementation runs. Ownership rules
 * are checked by the implementations, against the current row, in the write's
 * transaction.
 */
import { PermissionDenied } from '../errors.js';
import { API, mayCall, type ObjectName } from '../permissions.js';
import type { Actor } from '../actor.js';

type AsyncMethods = Record<string, (...args: never[]) => Promise<unknown>>;

export function guard<T extends AsyncMethods>(object: ObjectName, impl: T, actor: () => Actor): T {
  const guarded: Record<string, unknown> = {};
  for (const method of Object.keys(API[object])) {
    const fn = impl[method];
    if (typeof fn !== 'function') throw new Error(`${object}.${method} is in the permission table but not implemented`);
    guarded[method] = async (...args: never[]) => {
      const who = actor();
      if (!mayCall(who.department, object, method)) {
        const allowed = API[object][method].departments.join(' and ');
        throw new PermissionDenied(`${who.department} may not call ${object}.${method} (${allowed} only)`);
      }
      return fn.apply(impl, args);
    };
  }
  return guarded as T;
}
