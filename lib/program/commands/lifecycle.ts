/**
 * How the process ends, for every command: whatever it holds that must be
 * given back (the embedded server's lease: the last user stops the server) is
 * given back however the process ends — exit(), an uncaught error, its
 * terminal closed (SIGHUP, exit code 129) or a kill (SIGTERM, 143).
 */

/**
 * Run `releaseSync` when the process exits or is ended by SIGHUP or SIGTERM
 * (then exit 128 + the signal's number). Returns the function that removes
 * these hooks (a normal release). Pass it as openTarget's `onLease`.
 */
export function releaseOnExit(releaseSync: () => void): () => void {
  const onExit = () => releaseSync();
  const onSignal = (signal: NodeJS.Signals) => {
    releaseSync();
    process.exit(signal === 'SIGHUP' ? 129 : 143);
  };
  process.once('exit', onExit);
  process.once('SIGHUP', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.removeListener('exit', onExit);
    process.removeListener('SIGHUP', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
}
