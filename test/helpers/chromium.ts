import { spawn } from 'node:child_process';
import { expect } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';

/** Run headless Chromium once; the whole process group is killed by pid if it hangs. */
export function chromium(args: readonly string[], profile: string): Promise<{ stdout: string; code: number | null }> {
  const argv = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    ...args,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, argv, { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`chromium did not finish within 60s: ${args.join(' ')}`));
    }, 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, code });
    });
  });
}

/** Self-contained: no script, and no reference that would make a browser fetch anything (the SVG namespace is a name, not a fetch). */
export function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/\s(src|href|xlink:href|action|srcset|poster|data)=["']?[^"'\s>]*:?\/\//i);
  expect(html).not.toMatch(/@import|url\(\s*(?!["']?#)/i); // url(#hatch) is a pattern in the same document
  expect(html).not.toMatch(/<(link|iframe|object|embed|img|image|use)\b/i);
  expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  // a URL may appear as text (an http step's describe), never inside a tag, where a browser could follow it
  expect(html.replaceAll('xmlns="http://www.w3.org/2000/svg"', '')).not.toMatch(/<[^>]*https?:\/\//i);
}

export const hex = (css: string): number => Number.parseInt(css.slice(1), 16);
