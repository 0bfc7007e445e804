/**
 * passwordPrompt(): a password asked without echo, twice, and only once the
 * call it is an argument of has passed its checks (lib/shell/context.ts
 * shellCall), so a call that will be refused asks nothing.
 */
type AskSecret = (question: string) => Promise<string>;

/** The answers given this session: a result that is one is never printed (`passwordPrompt()` typed alone). */
const answers = new Set<string>();

/** Whether a value is a password answered at passwordPrompt(). */
export function isPasswordAnswer(value: unknown): boolean {
  return typeof value === 'string' && answers.has(value);
}

/** Answers of passwordPrompt() not yet given: a call's argument may hold one (users.create({password: passwordPrompt()})). */
const pendingPrompts = new WeakSet<object>();

/** Stands for a passwordPrompt() answer while the call's other arguments are checked (long enough for every rule). */
export const PROMPT_STAND_IN = 'stand-in for the password to be asked';

/**
 * passwordPrompt(question?) for the context: a password asked without echo,
 * twice (until both answers agree), so it is never in a line typed, the
 * history or `ps`. Asked only when it is awaited: in a call's arguments, once
 * the call's other arguments are valid (shellCall), never for a call refused.
 */
export function passwordPromptOf(askSecret: AskSecret, say: (line: string) => void): (question?: unknown) => PromiseLike<string> {
  return (question = 'Password: ') => {
    const asked = String(question);
    let answer: Promise<string> | undefined;
    const twice = async (): Promise<string> => {
      for (;;) {
        const first = await askSecret(asked);
        if ((await askSecret(`${asked.replace(/[\s:]*$/, '')} again: `)) === first) return answers.add(first) && first;
        say('The two passwords differ; try again.');
      }
    };
    const pending: PromiseLike<string> = { then: (ok, fail) => (answer ??= twice()).then(ok, fail) };
    pendingPrompts.add(pending);
    return pending;
  };
}

const isPrompt = (v: unknown): boolean => typeof v === 'object' && v !== null && pendingPrompts.has(v);
export const hasPrompt = (args: unknown[]) => args.some((a) => typeof a === 'object' && a !== null && !Array.isArray(a) && Object.values(a).some(isPrompt));

/**
 * The arguments of an API call with each passwordPrompt() in a plain
 * object's field replaced: by its answer (asked now), or by `standIn`.
 */
export async function settledArguments(args: unknown[], standIn?: string): Promise<unknown[]> {
  const settled: unknown[] = [];
  for (const arg of args) {
    if (typeof arg !== 'object' || arg === null || Array.isArray(arg) || !Object.values(arg).some(isPrompt)) {
      settled.push(arg);
      continue;
    }
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(arg)) fields[k] = isPrompt(v) ? standIn ?? await (v as PromiseLike<string>) : v;
    settled.push(fields);
  }
  return settled;
}
