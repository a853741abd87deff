/**
 * A readable, bounded rendering of a node for logs. Owns formatting only;
 * the output is for people and is not parsed back.
 *
 *   <message to="1555…@s.whatsapp.net" id="3EB0…">
 *     <enc v="2" type="msg">[212 bytes 33089ecb…]</enc>
 *   </message>
 */
import type { BinaryNode } from './types.js';

export interface NodeToStringOptions {
  /** Bytes of binary content shown as hex (default 16). */
  maxBytes?: number;
  /** Characters of a string value or content shown (default 200). */
  maxString?: number;
  /** Children shown per node (default 50). */
  maxChildren?: number;
  /** Levels shown; deeper nodes print as `…` (default 32). */
  maxDepth?: number;
  /** Indentation unit; '' prints everything on one line (default two spaces). */
  indent?: string;
}

const HEX = '0123456789abcdef';

function hex(bytes: Uint8Array, max: number): string {
  let s = '';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) s += HEX[bytes[i]! >>> 4]! + HEX[bytes[i]! & 15]!;
  return bytes.length > max ? s + '…' : s;
}

/** Escapes markup characters and shows control characters as \xNN, so a log line stays one line. */
function escape(text: string, max: number): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const escaped = cut.replace(/[&<>"\u0000-\u001f\u007f]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0');
    }
  });
  return text.length > max ? `${escaped}…(${text.length} chars)` : escaped;
}

/** Renders a node as indented XML-like text, with bytes as length and hex prefix. Never throws on BinaryNode input. */
export function nodeToString(node: BinaryNode, options: NodeToStringOptions = {}): string {
  const opts = {
    maxBytes: options.maxBytes ?? 16,
    maxString: options.maxString ?? 200,
    maxChildren: options.maxChildren ?? 50,
    maxDepth: options.maxDepth ?? 32,
    indent: options.indent ?? '  ',
  };
  const lines: string[] = [];
  render(node, 0, opts, lines);
  return lines.join(opts.indent ? '\n' : '');
}

function render(node: BinaryNode, depth: number, opts: Required<NodeToStringOptions>, out: string[]): void {
  const pad = opts.indent.repeat(depth);
  if (depth > opts.maxDepth) {
    out.push(pad + '…');
    return;
  }
  let open = '<' + escape(String(node.tag), opts.maxString);
  for (const [key, value] of Object.entries(node.attrs ?? {})) {
    open += ` ${escape(key, opts.maxString)}="${escape(String(value), opts.maxString)}"`;
  }
  const { content } = node;
  if (content === undefined) {
    out.push(pad + open + '/>');
  } else if (typeof content === 'string') {
    out.push(`${pad}${open}>${escape(content, opts.maxString)}</${escape(node.tag, opts.maxString)}>`);
  } else if (content instanceof Uint8Array) {
    out.push(`${pad}${open}>[${content.length} bytes ${hex(content, opts.maxBytes)}]</${escape(node.tag, opts.maxString)}>`);
  } else if (Array.isArray(content) && content.length === 0) {
    out.push(`${pad}${open}></${escape(node.tag, opts.maxString)}>`);
  } else if (Array.isArray(content)) {
    out.push(pad + open + '>');
    const shown = Math.min(content.length, opts.maxChildren);
    for (let i = 0; i < shown; i++) render(content[i]!, depth + 1, opts, out);
    if (content.length > shown) out.push(`${opts.indent.repeat(depth + 1)}… ${content.length - shown} more`);
    out.push(`${pad}</${escape(node.tag, opts.maxString)}>`);
  } else {
    out.push(`${pad}${open}>[${typeof content}]</${escape(node.tag, opts.maxString)}>`);
  }
}
