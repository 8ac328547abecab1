/**
 * Multi-document YAML with source positions: parse once, keep each document's node tree, and map
 * a field path (`['spec', 'stateProxy', 0, 'mount', 'path']`) back to a line and column.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Document, type Node, type YAMLError } from 'yaml';
import type { PathSegment } from '../schema/issues.js';

export interface Position {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
}

export interface SourceDocument {
  /** 0-based index of the document in its file (`---` separated). */
  readonly index: number;
  readonly doc: Document.Parsed;
  /** The document as plain data (undefined when it has syntax errors). */
  readonly value: unknown;
  readonly position: Position;
}

export interface SyntaxError {
  readonly index: number;
  readonly position: Position;
  readonly message: string;
}

export interface ParsedSource {
  readonly lineCounter: LineCounter;
  readonly documents: readonly SourceDocument[];
  readonly errors: readonly SyntaxError[];
}

/** The yaml package's message without its trailing position and source excerpt. */
export function syntaxMessage(message: string): string {
  const first = message.split('\n', 1)[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?\s*$/, '');
}

export function toPosition(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset);
  // linePos reports line 0 before the first newline is registered (one-line sources).
  return { line: Math.max(line, 1), col: Math.max(col, 1) };
}

/** How many times parseSource has run (a test pins that `validate` of a valid or invalid source never needs it). */
export const yamlParseCount = { value: 0 };

export function parseSource(text: string): ParsedSource {
  yamlParseCount.value++;
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  // An input without documents comes back as an EmptyStream, which may carry stream-level errors.
  const errors: SyntaxError[] = [];
  if ('empty' in docs) {
    for (const e of docs.errors) {
      errors.push({ index: 0, position: toPosition(lineCounter, e.pos[0]), message: syntaxMessage(e.message) });
    }
  }
  const list: Document.Parsed[] = 'empty' in docs ? [] : docs;
  const documents: SourceDocument[] = [];
  list.forEach((doc, index) => {
    for (const e of doc.errors) errors.push(documentError(doc, index, e, lineCounter));
    const start = doc.contents?.range[0] ?? doc.range[0];
    documents.push({
      index,
      doc,
      value: doc.errors.length === 0 ? doc.toJS({ maxAliasCount: 1000 }) : undefined,
      position: toPosition(lineCounter, start),
    });
  });
  return { lineCounter, documents, errors };
}

/**
 * A syntax error at the place to fix. The yaml package reports an unclosed `[`, `{` or quote where
 * it noticed (the next line that does not continue it), one line below the typo; the position
 * reported is where the bracket or quote opens, and the message says where parsing gave up.
 */
function documentError(doc: Document.Parsed, index: number, e: YAMLError, lineCounter: LineCounter): SyntaxError {
  const message = syntaxMessage(e.message);
  const detected = toPosition(lineCounter, e.pos[0]);
  const opened = unclosedAt(doc, e);
  if (opened === undefined) return { index, position: detected, message };
  const position = toPosition(lineCounter, opened.offset);
  if (position.line === detected.line && position.col === detected.col) return { index, position, message };
  return { index, position, message: `${message}: the ${opened.what} opened here is still open at line ${detected.line}, column ${detected.col}` };
}

/** The node an unclosed-collection or unclosed-quote error is about: it ends where the error is. */
function unclosedAt(doc: Document.Parsed, e: YAMLError): { offset: number; what: string } | undefined {
  const flowSeq = e.code === 'BAD_INDENT' && e.message.startsWith('Flow sequence');
  const flowMap = e.code === 'BAD_INDENT' && e.message.startsWith('Flow map');
  const quote = e.code === 'MISSING_CHAR' && /^Missing closing ["']quote/.test(e.message);
  if (!flowSeq && !flowMap && !quote) return undefined;
  let found: { offset: number; what: string } | undefined;
  visit(doc, (_key, node) => {
    const range = (node as Node).range;
    if (range == null || range[1] !== e.pos[0]) return undefined;
    if ((flowSeq && isSeq(node) && node.flow === true) || (flowMap && isMap(node) && node.flow === true)) {
      found = { offset: range[0], what: flowSeq ? '[' : '{' };
    } else if (quote && isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')) {
      found = { offset: range[0], what: node.type === 'QUOTE_DOUBLE' ? 'double quote' : 'single quote' };
    } else {
      return undefined;
    }
    return visit.BREAK;
  });
  return found;
}

const start = (node: Node | null | undefined): number | undefined => node?.range?.[0];

export interface LocateOptions {
  /** Point at the key of the last segment instead of its value (for unknown fields). */
  readonly atKey?: boolean;
}

/**
 * Where a field is in the source: the value node for a scalar, the key for a collection under a
 * map key (its first line), the item for a sequence entry. For a field that does not exist, the
 * nearest ancestor that does.
 */
export function locate(
  doc: Document.Parsed,
  path: readonly PathSegment[],
  lineCounter: LineCounter,
  options: LocateOptions = {},
): Position {
  let node: Node | null | undefined = doc.contents;
  let offset = start(node) ?? doc.range[0];
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (isAlias(node)) node = node.resolve(doc) as Node | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) break;
      const key = pair.key as Node;
      const value = pair.value as Node | null;
      const last = i === path.length - 1;
      // An empty value (`key:`) is a zero-length scalar after the colon; the key says more.
      const empty = isScalar(value) && value.range != null && value.range[0] === value.range[1];
      const useKey = value === null || empty || (last && options.atKey === true) || !isScalar(value);
      offset = (useKey ? start(key) : start(value)) ?? offset;
      node = value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (item === undefined) break;
      offset = start(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return toPosition(lineCounter, offset);
}
