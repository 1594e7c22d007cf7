// The shapes of the parameters the server accepts, checked before any handler runs: a
// request with wrong-typed params is answered -32602 (Invalid params) instead of failing
// somewhere inside a feature; a notification with wrong-typed params is dropped and logged.
// The checks cover what the handlers read, not every optional field of the LSP types.

/** undefined if `value` fits, else what was expected ("textDocument.uri: a string"). */
type Check = (value: unknown, at: string) => string | undefined;

const fail = (at: string, what: string) => `${at || "params"}: ${what}`;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const string: Check = (v, at) => (typeof v === "string" ? undefined : fail(at, "a string"));
const boolean: Check = (v, at) => (typeof v === "boolean" ? undefined : fail(at, "a boolean"));
/** LSP's uinteger: 0 … 2^31 − 1. */
const uinteger: Check = (v, at) => (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 2 ** 31 - 1 ? undefined : fail(at, "an integer from 0 to 2^31 − 1"));
const integer: Check = (v, at) => (Number.isInteger(v) && Math.abs(v as number) <= 2 ** 31 ? undefined : fail(at, "an integer"));
const anything: Check = () => undefined;

function object(fields: Record<string, Check>, optional: Record<string, Check> = {}): Check {
  return (v, at) => {
    if (!isObject(v)) return fail(at, "an object");
    const where = (key: string) => (at ? `${at}.${key}` : key);
    for (const [key, check] of Object.entries(fields)) {
      const problem = check(v[key], where(key));
      if (problem) return problem;
    }
    for (const [key, check] of Object.entries(optional)) {
      if (v[key] === undefined || v[key] === null) continue;
      const problem = check(v[key], where(key));
      if (problem) return problem;
    }
    return undefined;
  };
}

function array(item: Check, max = 100_000): Check {
  return (v, at) => {
    if (!Array.isArray(v)) return fail(at, "an array");
    if (v.length > max) return fail(at, `at most ${max} items`);
    for (let i = 0; i < v.length; i++) {
      const problem = item(v[i], `${at}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };
}

function either(...checks: Check[]): Check {
  return (v, at) => {
    const problems = checks.map((check) => check(v, at));
    return problems.includes(undefined) ? undefined : problems[problems.length - 1];
  };
}

const nullable = (check: Check): Check => (v, at) => (v === null ? undefined : check(v, at));

const position = object({ line: uinteger, character: uinteger });
const range: Check = (v, at) => {
  const problem = object({ start: position, end: position })(v, at);
  if (problem) return problem;
  const { start, end } = v as { start: { line: number; character: number }; end: { line: number; character: number } };
  return start.line < end.line || (start.line === end.line && start.character <= end.character) ? undefined : fail(at, "a range whose start is not after its end");
};
const textDocument = object({ uri: string });
const atPosition = { textDocument, position };
const formattingOptions = object({ tabSize: uinteger, insertSpaces: boolean });

/** Requests whose params the server checks; the rest go to the library (unknown methods get -32601). */
const REQUESTS: Record<string, Check> = {
  initialize: object({ capabilities: object({}) }, { processId: nullable(integer), rootUri: string }),
  shutdown: anything,
  "textDocument/hover": object(atPosition),
  "textDocument/definition": object(atPosition),
  "textDocument/references": object(atPosition, { context: object({ includeDeclaration: boolean }) }),
  "textDocument/prepareRename": object(atPosition),
  "textDocument/rename": object({ ...atPosition, newName: string }),
  "textDocument/completion": object(atPosition, { context: object({ triggerKind: uinteger }) }),
  "textDocument/codeAction": object({ textDocument, range, context: object({ diagnostics: array(object({ range, message: string })) }) }),
  "textDocument/codeLens": object({ textDocument }),
  "textDocument/documentSymbol": object({ textDocument }),
  "textDocument/documentLink": object({ textDocument }),
  "textDocument/foldingRange": object({ textDocument }),
  "textDocument/selectionRange": object({ textDocument, positions: array(position) }),
  "textDocument/inlayHint": object({ textDocument, range }),
  "textDocument/formatting": object({ textDocument, options: formattingOptions }),
  "textDocument/rangeFormatting": object({ textDocument, range, options: formattingOptions }),
  "textDocument/semanticTokens/full": object({ textDocument }),
  "textDocument/semanticTokens/full/delta": object({ textDocument, previousResultId: string }),
  "textDocument/semanticTokens/range": object({ textDocument, range }),
  "workspace/symbol": object({ query: string }),
  "vmtopo/mappingState": object({ uri: string }),
  "vmtopo/live": object({ uri: string, socket: string, vm: string }, { scenario: string, step: uinteger }),
};

const contentChange = either(object({ text: string }), object({ range, text: string }, { rangeLength: uinteger }));

const NOTIFICATIONS: Record<string, Check> = {
  initialized: anything,
  exit: anything,
  "textDocument/didOpen": object({ textDocument: object({ uri: string, languageId: string, version: integer, text: string }) }),
  "textDocument/didChange": object({ textDocument: object({ uri: string, version: integer }), contentChanges: array(contentChange) }),
  "textDocument/didClose": object({ textDocument }),
  "textDocument/didSave": object({ textDocument }),
  "workspace/didChangeWatchedFiles": object({ changes: array(object({ uri: string, type: uinteger })) }),
  "workspace/didChangeConfiguration": either(object({}), (v) => (v === undefined || v === null ? undefined : "params: an object")),
  "$/cancelRequest": object({ id: either(integer, string) }),
  "$/setTrace": object({ value: string }),
};

/** The methods whose params are checked: every request the server advertises, and the notifications it handles. */
export const CHECKED_REQUESTS = Object.keys(REQUESTS);

/** Why these params do not fit the method, or undefined (also for methods not listed). */
export function paramsProblem(method: string, params: unknown, isRequest: boolean): string | undefined {
  const check = (isRequest ? REQUESTS : NOTIFICATIONS)[method];
  return check ? check(params, "") : undefined;
}
