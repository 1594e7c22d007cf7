// Element helpers that never parse markup: every string from the document becomes a text
// node or an attribute value (setAttribute), so nothing in a name can turn into HTML. Styles
// go through the CSSOM (the Content-Security-Policy forbids inline style attributes).
//
// Views are built as fresh trees and then `morph`ed into the live DOM: nodes that are still
// there are updated in place (focus, scroll position and selection survive), so an update
// as the user types does not flicker.

const SVG_NS = "http://www.w3.org/2000/svg";

export type Child = Node | string | number | null | undefined | false | Child[];

export interface Props {
  /** attributes, set with setAttribute; `undefined`, `null` and `false` leave them out */
  [attribute: string]: string | number | boolean | null | undefined | Record<string, string | number> | string[];
}

function apply(element: Element, props: Props | undefined): void {
  if (!props) return;
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (/^on/i.test(name)) throw new Error(`event handler attributes are not allowed: ${name}`);
    if (name === "style" && typeof value === "object" && !Array.isArray(value)) {
      const style = (element as HTMLElement | SVGElement).style;
      for (const [property, v] of Object.entries(value)) style.setProperty(property, String(v));
      continue;
    }
    if (name === "class" && value === "") continue;
    if (name === "class" && Array.isArray(value)) {
      const classes = value.filter(Boolean);
      if (classes.length) element.setAttribute("class", classes.join(" "));
      continue;
    }
    element.setAttribute(name, value === true ? "" : String(value));
  }
}

function append(parent: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (typeof child === "string" || typeof child === "number") parent.appendChild(document.createTextNode(String(child)));
    else parent.appendChild(child);
  }
}

/** An HTML element. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  apply(element, props);
  append(element, children);
  return element;
}

/** An SVG element. */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag) as SVGElementTagNameMap[K];
  apply(element, props);
  append(element, children);
  return element;
}

// ---- morph ------------------------------------------------------------------------------

const keyOf = (node: Node): string | null => (node.nodeType === 1 ? (node as Element).getAttribute("data-key") : null);

function sameKind(a: Node, b: Node): boolean {
  if (a.nodeType !== b.nodeType) return false;
  if (a.nodeType !== 1) return true;
  const x = a as Element;
  const y = b as Element;
  return x.namespaceURI === y.namespaceURI && x.tagName === y.tagName && keyOf(x) === keyOf(y);
}

function morphAttributes(from: Element, to: Element): void {
  for (const { name } of Array.from(from.attributes)) {
    if (name !== "style" && !to.hasAttribute(name)) from.removeAttribute(name);
  }
  for (const { name, value } of Array.from(to.attributes)) {
    if (name === "style") continue;
    if (from.getAttribute(name) !== value) from.setAttribute(name, value);
  }
  const fromStyle = (from as HTMLElement).style;
  const toStyle = (to as HTMLElement).style;
  if (fromStyle && toStyle && fromStyle.cssText !== toStyle.cssText) fromStyle.cssText = toStyle.cssText;
}

/**
 * Makes `from` (live) look like `to` (freshly built), keeping every node of `from` that has
 * a counterpart: same tag and the same `data-key`, or, without keys, the same position.
 */
export function morph(from: Element, to: Element): void {
  morphAttributes(from, to);
  morphChildren(from, to);
}

function morphChildren(from: Element, to: Element): void {
  const keyed = new Map<string, Node>();
  for (const child of Array.from(from.childNodes)) {
    const key = keyOf(child);
    if (key !== null) keyed.set(key, child);
  }
  const used = new Set<Node>();
  let cursor: Node | null = from.firstChild;
  const skipUsed = () => {
    while (cursor && used.has(cursor)) cursor = cursor.nextSibling;
  };
  for (const next of Array.from(to.childNodes)) {
    skipUsed();
    const key = keyOf(next);
    let match: Node | null = null;
    if (key !== null) {
      const candidate = keyed.get(key);
      if (candidate && !used.has(candidate) && sameKind(candidate, next)) match = candidate;
    } else if (cursor && keyOf(cursor) === null && sameKind(cursor, next)) {
      match = cursor;
    }
    if (match) {
      used.add(match);
      if (match === cursor) cursor = cursor.nextSibling;
      else from.insertBefore(match, cursor);
      if (match.nodeType === 1) morph(match as Element, next as Element);
      else if (match.nodeValue !== next.nodeValue) match.nodeValue = next.nodeValue;
    } else {
      used.add(next);
      from.insertBefore(next, cursor);
    }
  }
  for (const child of Array.from(from.childNodes)) if (!used.has(child)) from.removeChild(child);
}
