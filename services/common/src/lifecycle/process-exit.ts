import type { Logger } from 'pino';

/**
 * Exiting a Node process joins libuv's thread pool (uv_library_shutdown runs
 * from process.exit() and as an exit destructor), so one native call that never
 * returns keeps the process alive forever after process.exit(). librdkafka has
 * such calls (see TransactionalCallStuckError): the service works on with a
 * new producer, but could then never end. Calls known to be stuck are
 * registered here; with one outstanding, the process ends itself with SIGKILL
 * once its clean-up has run — the only way out that does not wait for that
 * thread. The exit status (137) then says the shutdown was not clean.
 */
const stuck = new Map<symbol, string>();

/** Registers a native call that will not return (what it was, for the exit log); the token unregisters it. */
export function markNativeCallStuck(what: string): symbol {
  const token = Symbol(what);
  stuck.set(token, what);
  return token;
}

/** The native calls registered as stuck. */
export function stuckNativeCalls(): string[] {
  return [...stuck.values()];
}

/** process.exit(code), or SIGKILL of this process when a native call is stuck (the exit would wait for it forever). */
export function exitProcess(code: number, logger?: Logger): never {
  if (stuck.size > 0) {
    const calls = stuckNativeCalls();
    // Synchronous writes: nothing of the event loop runs after the kill.
    if (logger) logger.error({ exitCode: code, stuckCalls: calls }, 'a native call never returned and would block the exit: ending the process with SIGKILL');
    else process.stderr.write(`exit ${code}: a native call never returned (${calls.join('; ')}): ending the process with SIGKILL\n`);
    process.kill(process.pid, 'SIGKILL');
  }
  process.exit(code);
}

/**
 * Runs a native call that reports through a callback (with an error or
 * without), bounded: past `ms` it is registered as stuck (so the exit will not
 * wait for it) and the promise rejects with `onStuck()`'s error, by default one
 * naming the call. For a client's close or a transactional call, whose return
 * the process must not wait on forever. A reply after the bound is ignored.
 */
export function boundedNativeCall(
  what: string,
  ms: number,
  call: (done: (err?: unknown) => void) => void,
  onStuck: () => Error = () => new Error(`${what} did not return within ${ms} ms`),
): Promise<void> {
  return new Promise((resolve, reject) => {
    let token: symbol | undefined;
    const timer = setTimeout(() => {
      token = markNativeCallStuck(what);
      reject(onStuck());
    }, ms);
    call((err) => {
      if (token !== undefined) {
        stuck.delete(token); // it returned after all: the exit need not avoid it
        return;
      }
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    });
  });
}
