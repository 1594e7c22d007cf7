// Syntax error messages a person can act on: what was expected, in the language's words,
// and what was found instead.
import { EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";

const RULE_WORDS: Readonly<Record<string, string>> = {
  value: "a value (a number, size, string, name, range or list)",
  step: "a scenario step (resize, convert, hotplug, unplug, migrate or viommu-map)",
  stringLiteral: "a string",
  device: "'virtio-mem', 'vfio' or 'dimm'",
  convertStep: "'shared' or 'private'",
  migrateStep: "'precopy' or 'postcopy'",
};

export function describeToken(token: IToken): string {
  if (token.tokenType === EOF) return "the end of the file";
  const image = token.image.length > 40 ? token.image.slice(0, 37) + "..." : token.image;
  return `'${image}'`;
}

function describeType(type: TokenType): string {
  if (type === EOF) return "the end of the file";
  return type.LABEL ?? type.name;
}

function oneOf(words: string[]): string {
  const unique = [...new Set(words)];
  if (unique.length <= 1) return unique[0] ?? "something else";
  return `${unique.slice(0, -1).join(", ")} or ${unique[unique.length - 1]}`;
}

export const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `expected ${describeType(expected)} but found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describeToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const words = RULE_WORDS[ruleName] ?? oneOf(expectedPathsPerAlt.flatMap((paths) => paths.map((p) => describeType(p[0]))));
    return `expected ${words} but found ${describeToken(actual[0])}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual }) {
    return `expected ${oneOf(expectedIterationPaths.map((p) => describeType(p[0])))} but found ${describeToken(actual[0])}`;
  },
};
