// The parsed HTML of an email body, as htmlparser2 builds it, and the few questions both the ADF
// converter and the reply trimmer ask of it. Walks that can meet arbitrarily deep markup are
// iterative, so that a hostile message cannot exhaust the stack.
import { DomUtils, ElementType, parseDocument } from 'htmlparser2';
// Types only: domhandler is the DOM that htmlparser2 builds (and depends on); nothing is loaded from it.
import type { AnyNode, ChildNode, Document, Element, ParentNode, Text } from 'domhandler';

export type { ChildNode, Document, Element, ParentNode };

/** Elements whose content is never shown: code, metadata, embedded objects, form controls. */
const HIDDEN = new Set([
  'script', 'style', 'head', 'title', 'meta', 'link', 'base', 'iframe', 'frame', 'frameset', 'object', 'embed',
  'applet', 'param', 'form', 'input', 'select', 'textarea', 'button', 'noscript', 'template', 'svg', 'math',
  'canvas', 'audio', 'video', 'source', 'track', 'map', 'area',
]);

const VISIBLE = /[^\s\u200b\u200c\ufeff]/;

export function parseHtml(html: string): Document {
  return parseDocument(html, { decodeEntities: true });
}

export function isElement(node: AnyNode): node is Element {
  return ElementType.isTag(node);
}

export function isText(node: AnyNode): node is Text {
  return node.type === ElementType.Text;
}

export function isHidden(element: Element): boolean {
  return HIDDEN.has(element.name);
}

/** The visible text under the nodes, each `<br>` as `lineBreak`. */
export function flatText(nodes: readonly ChildNode[], lineBreak = ' '): string {
  const parts: string[] = [];
  const stack = [...nodes].reverse();
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (isText(node)) parts.push(node.data);
    else if (isElement(node) && !isHidden(node)) {
      if (node.name === 'br') parts.push(lineBreak);
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as ChildNode);
    }
  }
  return parts.join('');
}

/** How deeply elements nest, counted without recursion. */
export function nestingDepth(nodes: readonly ChildNode[]): number {
  let deepest = 0;
  const stack: [ChildNode, number][] = nodes.map((node) => [node, 1]);
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [node, depth] = entry;
    if (!isElement(node)) continue;
    deepest = Math.max(deepest, depth);
    for (const child of node.children) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** The nodes under `root` in document order, lazily, so that a search can stop early. */
export function* descendants(root: ParentNode): Generator<ChildNode> {
  const stack = [...root.children].reverse();
  for (let node = stack.pop(); node; node = stack.pop()) {
    yield node;
    if (isElement(node)) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as ChildNode);
  }
}

/** The first node the test accepts, walking no further than needed. */
export function findNode<T extends ChildNode>(nodes: Iterable<ChildNode>, test: (node: ChildNode) => node is T): T | undefined;
export function findNode(nodes: Iterable<ChildNode>, test: (node: ChildNode) => boolean): ChildNode | undefined;
export function findNode(nodes: Iterable<ChildNode>, test: (node: ChildNode) => boolean): ChildNode | undefined {
  for (const node of nodes) if (test(node)) return node;
  return undefined;
}

/** Does the node show anything: visible text or an image (hidden elements such as style excluded)? */
export function isVisible(node: ChildNode): boolean {
  const stack = [node];
  for (let current = stack.pop(); current; current = stack.pop()) {
    if (isText(current) && VISIBLE.test(current.data)) return true;
    if (!isElement(current) || isHidden(current)) continue;
    if (current.name === 'img') return true;
    stack.push(...current.children);
  }
  return false;
}

export function removeNode(node: ChildNode): void {
  DomUtils.removeElement(node);
}

export function serialize(nodes: ChildNode | Document | readonly ChildNode[]): string {
  return DomUtils.getOuterHTML(nodes);
}
