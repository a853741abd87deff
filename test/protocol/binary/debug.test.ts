import { describe, expect, it } from 'vitest';
import { nodeToString, type BinaryNode } from '../../../src/protocol/binary/index.js';

describe('nodeToString', () => {
  const node: BinaryNode = {
    tag: 'message',
    attrs: { to: '15551234567@s.whatsapp.net', id: '3EB0' },
    content: [
      { tag: 'enc', attrs: { v: '2', type: 'msg' }, content: Uint8Array.from({ length: 40 }, (_, i) => i) },
      { tag: 'body', attrs: {}, content: 'a "quoted" <b> & line\nbreak' },
      { tag: 'list', attrs: {}, content: [] },
    ],
  };

  it('renders XML-like, bytes as length and a hex prefix, text escaped to one line', () => {
    expect(nodeToString(node)).toBe(
      [
        '<message to="15551234567@s.whatsapp.net" id="3EB0">',
        '  <enc v="2" type="msg">[40 bytes 000102030405060708090a0b0c0d0e0f…]</enc>',
        '  <body>a &quot;quoted&quot; &lt;b&gt; &amp; line\\x0abreak</body>',
        '  <list></list>',
        '</message>',
      ].join('\n'),
    );
  });

  it('truncates long strings, many children and deep trees', () => {
    const wide: BinaryNode = { tag: 'list', attrs: { s: 'x'.repeat(500) }, content: Array.from({ length: 60 }, () => ({ tag: 'item', attrs: {} })) };
    const text = nodeToString(wide, { maxString: 10, maxChildren: 3 });
    expect(text).toContain(`s="${'x'.repeat(10)}…(500 chars)"`);
    expect(text.split('\n')).toHaveLength(1 + 3 + 1 + 1);
    expect(text).toContain('… 57 more');

    let deep: BinaryNode = { tag: 'leaf', attrs: {} };
    for (let i = 0; i < 10; i++) deep = { tag: 'n', attrs: {}, content: [deep] };
    expect(nodeToString(deep, { maxDepth: 2, indent: '' })).toBe('<n><n><n>…</n></n></n>');
  });
});
