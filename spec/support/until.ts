/**
 * The suite's one polling loop: wait until `condition` holds (a condition,
 * never a duration), checking every `everyMs`, and fail naming `what` after
 * `timeoutMs`, so that a test that fails still reaches its clean-up.
 */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s in vain for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
