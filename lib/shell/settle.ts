/**
 * A statement's value, settled before it is shown (lib/shell/engine.ts): a
 * promise awaited, and arrays and plain objects holding promises copied with
 * them awaited.
 */

/** A plain object of any realm (a statement's context has its own Object.prototype). */
function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** Whether an array or plain object holds a promise (to this depth): only then is it copied with them awaited. */
export function holdsThenable(value: unknown, depth = 3): boolean {
  if (depth === 0 || typeof value !== 'object' || value === null) return false;
  const inside = Array.isArray(value) ? value : isPlainObject(value) ? Object.values(value) : [];
  return inside.some((v) => isThenable(v) || holdsThenable(v, depth - 1));
}

/** Arrays and plain objects holding promises, with them awaited (to this depth): `[clients.get(1), clients.get(2)]` shows two records. */
export async function settleNested(value: unknown, depth = 3): Promise<unknown> {
  if (isThenable(value)) return settleNested(await value, depth);
  if (depth === 0 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const settled = await Promise.all(value.map((v) => settleNested(v, depth - 1)));
    return settled.every((v, i) => v === value[i]) ? value : settled;
  }
  if (!isPlainObject(value)) return value;
  const entries = Object.entries(value);
  const settled = await Promise.all(entries.map(([, v]) => settleNested(v, depth - 1)));
  return settled.every((v, i) => v === entries[i][1]) ? value : Object.fromEntries(entries.map(([k], i) => [k, settled[i]]));
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
