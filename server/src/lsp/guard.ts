// Nothing the server runs on its own (timers, watchers, notifications, file reads) may end
// the process: each such callback runs under `guard`, which turns a bug into a logged error
// (with its stack, for the bug report) and lets the caller show it, e.g. as a VT000
// diagnostic on the document concerned. Requests need no guard: the JSON-RPC library
// answers a throwing handler with an error response.

export type Log = (text: string) => void;

/** Where errors go until the connection exists: stderr, which LSP clients show in their log. */
let log: Log = (text) => process.stderr.write(`${text}\n`);

export function setGuardLog(to: Log): void {
  log = to;
}

export function logError(what: string, error: unknown): void {
  log(`vmtopo: internal error in ${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}

/** `fn`, except that an exception is logged and handed to `onError` (itself guarded) instead of escaping. */
export function guard<A extends unknown[]>(what: string, fn: (...args: A) => void, onError?: (error: unknown, ...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      fn(...args);
    } catch (error) {
      logError(what, error);
      try {
        onError?.(error, ...args);
      } catch (again) {
        logError(`${what} (reporting an error)`, again);
      }
    }
  };
}

/** The short form of an error for a diagnostic's message. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
