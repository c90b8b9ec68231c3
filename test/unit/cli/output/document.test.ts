import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { outFile } from '../../../../src/cli/output/document.js';
import { md, mdCode } from '../../../../src/report/md-escape.js';

describe('-o/--out takes a file, never a format', () => {
  it.each(['json', 'JSON', 'yaml', 'yml', 'md', 'html', 'junit', 'xml', 'wide', 'jsonpath=$.a'])('refuses %s', (word) => {
    expect(() => outFile(word)).toThrow(InvalidArgumentError);
    expect(() => outFile(word)).toThrow(`to write a file named "${word}", say -o ./${word}`);
  });
  it.each(['plan.json', './json', 'out/report.html', '-', 'json.xml'])('takes %s', (file) => expect(outFile(file)).toBe(file));
});

describe('Markdown escaping of what the estate said', () => {
  it('HTML, emphasis, code, links, tables, headings, math and citations stay text; line breaks stay inside the line', () => {
    expect(md('<h1>502</h1> *rule* _x_ `c` [a](b) | ~s~ $x$ ^2^ @cite # h & \\')).toBe(
      '&lt;h1&gt;502&lt;/h1&gt; \\*rule\\* \\_x\\_ \\`c\\` \\[a\\](b) \\| \\~s\\~ \\$x\\$ \\^2\\^ \\@cite \\# h &amp; \\\\',
    );
    expect(md('one\n# two\r\n- three')).toBe('one<br>\\# two<br>- three');
  });
  it('an identifier as inline code, whatever backticks it has', () => {
    expect(mdCode('run-1')).toBe('`run-1`');
    expect(mdCode('a`b')).toBe('`` a`b ``');
  });
});
