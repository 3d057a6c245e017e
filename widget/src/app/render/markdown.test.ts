// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown, renderMarkdown, safeUrl } from './markdown.ts';

function html(md: string): string {
  const div = document.createElement('div');
  div.appendChild(renderMarkdown(md));
  return div.innerHTML;
}

const XSS_PAYLOADS = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '"><svg/onload=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '&lt;b&gt;not bold&lt;/b&gt;',
  '<style>*{display:none}</style>',
];

describe('markdown rendering', () => {
  it('renders the supported subset', () => {
    expect(html('**bold** and *italic* and _also_ and `a<b>` code')).toBe(
      '<p><strong>bold</strong> and <em>italic</em> and <em>also</em> and <code>a&lt;b&gt;</code> code</p>',
    );
    expect(html('- one\n- **two**\n\n1. first\n2) second')).toBe(
      '<ul><li>one</li><li><strong>two</strong></li></ul><ol><li>first</li><li>second</li></ol>',
    );
    expect(html('line one\nline two\n\nnext paragraph')).toBe('<p>line one<br>line two</p><p>next paragraph</p>');
    expect(html('```\n<b>code</b>\n```')).toBe('<pre><code>&lt;b&gt;code&lt;/b&gt;</code></pre>');
    expect(html('## Opening hours')).toBe('<p><strong>Opening hours</strong></p>');
  });

  it('renders links with safe attributes only for http, https and mailto', () => {
    expect(html('[Prices](https://example.com/prices?a=1&b=2)')).toBe(
      '<p><a href="https://example.com/prices?a=1&amp;b=2" target="_blank" rel="noopener noreferrer nofollow">Prices</a></p>',
    );
    expect(html('Mail [us](mailto:help@example.com).')).toContain('href="mailto:help@example.com"');
    expect(html('See https://example.com/a_b, then stop.')).toBe(
      '<p>See <a href="https://example.com/a_b" target="_blank" rel="noopener noreferrer nofollow">https://example.com/a_b</a>, then stop.</p>',
    );
    for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', '/relative', 'java\tscript:alert(1)']) {
      const out = html(`[click](${bad})`);
      expect(out, bad).not.toContain('<a');
      expect(out).toContain('[click]');
    }
  });

  it('shows XSS payloads as text, never as markup', () => {
    for (const payload of XSS_PAYLOADS) {
      const div = document.createElement('div');
      div.appendChild(renderMarkdown(payload));
      expect(div.textContent, payload).toBe(payload);
      expect(div.querySelector('img,script,svg,iframe,style')).toBeNull();
      expect(div.querySelectorAll('a[href^="javascript"]').length).toBe(0);
      // Only the elements the renderer makes itself.
      for (const el of div.querySelectorAll('*')) expect(['P', 'BR', 'STRONG', 'EM', 'CODE', 'A', 'UL', 'OL', 'LI', 'PRE']).toContain(el.tagName);
    }
  });

  it('keeps markup typed inside formatting as text too', () => {
    const div = document.createElement('div');
    div.appendChild(renderMarkdown('**<img src=x onerror=alert(1)>** [<b>x</b>](https://ok.example)'));
    expect(div.querySelector('img,b')).toBeNull();
    expect(div.querySelector('strong')!.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(div.querySelector('a')!.textContent).toBe('<b>x</b>');
  });

  it('leaves snake_case, lone asterisks and escaped characters alone', () => {
    expect(parseInline('use my_var_name here')).toEqual(['use my_var_name here']);
    expect(parseInline('2 * 3 * 4')).toEqual(['2 * 3 * 4']);
    expect(parseInline('\\*not italic\\*')).toEqual(['*not italic*']);
  });

  it('does not nest links', () => {
    const tree = parseInline('[see https://a.example](https://b.example)');
    expect(tree).toEqual([{ t: 'a', href: 'https://b.example/', c: ['see https://a.example'] }]);
  });

  it('parses unclosed fences and list continuations without losing text', () => {
    expect(parseMarkdown('```\nnever closed')).toEqual([{ t: 'pre', text: 'never closed' }]);
    expect(parseMarkdown('- item\n  continued')).toEqual([{ t: 'ul', items: [['item', ' ', 'continued']] }]);
  });

  it('handles long adversarial input', () => {
    const nasty = '**'.repeat(2000) + '_'.repeat(2000) + '['.repeat(1000) + '`'.repeat(1000);
    const div = document.createElement('div');
    div.appendChild(renderMarkdown(nasty));
    expect(div.textContent!.length).toBeGreaterThan(1000);
  });

  it('accepts only absolute http(s) and mailto URLs', () => {
    expect(safeUrl('https://x.example/a b')).toBe('https://x.example/a%20b');
    expect(safeUrl('ftp://x.example')).toBeNull();
    expect(safeUrl('//x.example')).toBeNull();
  });
});
