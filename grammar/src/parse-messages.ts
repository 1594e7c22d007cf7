// Syntax error messages a person can act on: what was expected, in the language's words,
// and what was found instead.
import { EOF, type IToken, type TokenType } from "./lexer";

export function describeToken(token: IToken): string {
  if (token.tokenType === EOF) return "the end of the file";
  const image = token.image.length > 40 ? token.image.slice(0, 37) + "..." : token.image;
  return `'${image}'`;
}

export function describeType(type: TokenType): string {
  if (type === EOF) return "the end of the file";
  return type.LABEL ?? type.name;
}
