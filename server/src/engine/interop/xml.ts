// A small, strict XML reader for libvirt's domain and capabilities documents: elements,
// attributes, text, comments, CDATA, processing instructions, a DOCTYPE without an internal
// subset, the five predefined entities and character references. No namespaces resolution
// (prefixes stay in names), no DTD. Anything malformed is an XmlError with 1-based line and
// column, never a partial tree.

export interface XmlElement {
  name: string;
  attributes: Map<string, string>;
  children: XmlElement[];
  /** the element's own character data, concatenated */
  text: string;
  line: number;
  column: number;
}

export class XmlError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${line}:${column}: ${reason}`);
  }
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

export function parseXml(source: string): XmlElement {
  let pos = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === "\n") lineStarts.push(i + 1);
  const where = (offset: number): [number, number] => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return [lo + 1, offset - lineStarts[lo] + 1];
  };
  const fail = (reason: string, offset = pos): never => {
    const [line, column] = where(Math.min(offset, source.length));
    throw new XmlError(reason, line, column);
  };
  const startsWith = (s: string) => source.startsWith(s, pos);
  const skipSpace = () => {
    while (pos < source.length && /[ \t\r\n]/.test(source[pos])) pos++;
  };
  const name = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(source);
    if (!m) fail(pos >= source.length ? "unexpected end of document" : `expected a name, found '${source[pos]}'`);
    pos += m![0].length;
    return m![0];
  };
  const decode = (raw: string, start: number): string =>
    raw.replace(/&([^;&<]*);?/g, (whole, ref: string, index: number) => {
      if (!whole.endsWith(";")) fail("'&' must start an entity such as &amp;", start + index);
      if (ref.startsWith("#x") && /^#x[0-9a-fA-F]+$/.test(ref)) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
      if (ref.startsWith("#") && /^#[0-9]+$/.test(ref)) return String.fromCodePoint(Number(ref.slice(1)));
      if (ref in ENTITIES) return ENTITIES[ref];
      return fail(`unknown entity '&${ref};'`, start + index);
    });
  /** Moves past the next `terminator`, which must be there. */
  const skipPast = (terminator: string, from: number, what: string) => {
    const end = source.indexOf(terminator, from);
    if (end < 0) fail(`unterminated ${what}`);
    pos = end + terminator.length;
  };
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (startsWith("<!--")) skipPast("-->", pos + 4, "comment");
      else if (startsWith("<?")) skipPast("?>", pos + 2, "processing instruction");
      else if (startsWith("<!DOCTYPE")) {
        const end = source.indexOf(">", pos);
        if (end < 0 || source.slice(pos, end).includes("[")) fail("a DOCTYPE with an internal subset is not supported");
        pos = end + 1;
      } else return;
    }
  };

  const element = (): XmlElement => {
    const start = pos;
    if (source[pos] !== "<") fail("expected '<'");
    pos++;
    const [line, column] = where(start);
    const el: XmlElement = { name: name(), attributes: new Map(), children: [], text: "", line, column };
    for (;;) {
      const before = pos;
      skipSpace();
      if (startsWith("/>")) {
        pos += 2;
        return el;
      }
      if (source[pos] === ">") {
        pos++;
        break;
      }
      if (pos === before) fail(pos >= source.length ? `unterminated tag <${el.name}>` : `expected whitespace, '>' or '/>' in <${el.name}>, found '${source[pos]}'`);
      const attrAt = pos;
      const attr = name();
      skipSpace();
      if (source[pos] !== "=") fail(`attribute '${attr}' needs '=' and a quoted value`);
      pos++;
      skipSpace();
      const quote = source[pos];
      if (quote !== "'" && quote !== '"') fail(`the value of attribute '${attr}' must be quoted`);
      const end = source.indexOf(quote, pos + 1);
      if (end < 0) fail(`unterminated value of attribute '${attr}'`);
      const raw = source.slice(pos + 1, end);
      if (raw.includes("<")) fail(`'<' in the value of attribute '${attr}'`, pos + 1 + raw.indexOf("<"));
      if (el.attributes.has(attr)) fail(`attribute '${attr}' given twice`, attrAt);
      el.attributes.set(attr, decode(raw, pos + 1));
      pos = end + 1;
    }
    // content
    for (;;) {
      if (pos >= source.length) fail(`<${el.name}> (line ${line}) is not closed`);
      if (startsWith("</")) {
        pos += 2;
        const closeAt = pos;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}> opened on line ${line}`, closeAt);
        skipSpace();
        if (source[pos] !== ">") fail(`expected '>' after </${closing}`);
        pos++;
        return el;
      }
      if (startsWith("<!--")) skipPast("-->", pos + 4, "comment");
      else if (startsWith("<![CDATA[")) {
        const end = source.indexOf("]]>", pos + 9);
        if (end < 0) fail("unterminated CDATA section");
        el.text += source.slice(pos + 9, end);
        pos = end + 3;
      } else if (startsWith("<?")) skipPast("?>", pos + 2, "processing instruction");
      else if (source[pos] === "<") {
        el.children.push(element());
      } else {
        const next = source.indexOf("<", pos);
        const end = next < 0 ? source.length : next;
        el.text += decode(source.slice(pos, end), pos);
        pos = end;
      }
    }
  };

  skipMisc();
  if (pos >= source.length) fail("the document is empty");
  const root = element();
  skipMisc();
  if (pos < source.length) fail("content after the root element");
  return root;
}

/** The first child of that name, if any. */
export const child = (el: XmlElement | undefined, name: string): XmlElement | undefined => el?.children.find((c) => c.name === name);
export const childrenNamed = (el: XmlElement | undefined, name: string): XmlElement[] => el?.children.filter((c) => c.name === name) ?? [];
