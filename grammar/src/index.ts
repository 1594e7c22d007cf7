// The grammar layer's public surface. Nothing here knows about LSP or VS Code.
export * from "./ast";
export * from "./diagnostic";
export * from "./line-index";
export * from "./literals";
export { parse, type ParseResult } from "./parse";
export { format, type FormatResult } from "./format";
