import { describe, expect, test } from 'vitest';
import { editUpstream, parseUpstream } from '../../../src/infra/nginx-upstream.js';

const BLOCK = `# upstream app (managed)
upstream app {
    least_conn;
    server 127.0.0.1:8001 max_fails=2 fail_timeout=5s;   # hz-a
    server 127.0.0.1:8002 weight=3;                      # hz-b
    server unix:/run/app.sock down;
    server 10.0.0.9:80 backup;
}
upstream other { server 127.0.0.1:9000; }
`;

describe('nginx upstream include files', () => {
  test("reads each server's state and weight from the named block", () => {
    expect(parseUpstream(BLOCK, 'app')).toEqual({
      name: 'app',
      servers: [
        { addr: '127.0.0.1:8001', state: 'up', weight: 1, line: 3 },
        { addr: '127.0.0.1:8002', state: 'up', weight: 3, line: 4 },
        { addr: 'unix:/run/app.sock', state: 'down', weight: 1, line: 5 },
        { addr: '10.0.0.9:80', state: 'backup', weight: 1, line: 6 },
      ],
    });
    expect(() => parseUpstream(BLOCK, 'other')).toThrow(
      'line 9: put each server directive of upstream other on its own line (drctl edits them line by line)',
    );
  });

  test("a body file (included inside the block) is read as the upstream's servers", () => {
    expect(parseUpstream('server a:1;\nserver b:2 down; # b\n').servers.map((s) => `${s.addr}=${s.state}`)).toEqual(['a:1=up', 'b:2=down']);
  });

  test('names what it cannot read: several blocks without a name, an unknown one, a directive over two lines, a bad weight', () => {
    expect(() => parseUpstream(BLOCK)).toThrow('the file has 2 upstream blocks (app, other): name one with upstream');
    expect(() => parseUpstream(BLOCK, 'nope')).toThrow('no upstream "nope" in the file (it has app, other)');
    expect(() => parseUpstream('upstream app {\n  server 127.0.0.1:1\n    weight=2;\n}\n')).toThrow(
      'line 2: a server directive drctl can edit is one line "server ADDR [params];"',
    );
    expect(() => parseUpstream('server a:1 weight=0;')).toThrow('line 1: bad weight=0');
    expect(() => parseUpstream('upstream app {\n server a:1;\n')).toThrow('line 1: the upstream block is not closed');
  });

  test("edits only the named servers' flags and weight: other params, comments and lines stay as written", () => {
    const out = editUpstream(BLOCK, 'app', {
      '127.0.0.1:8001': { state: 'down' },
      '127.0.0.1:8002': { weight: 1 },
      'unix:/run/app.sock': { state: 'up', weight: 5 },
      '10.0.0.9:80': { state: 'up' },
    });
    expect(out.split('\n')).toEqual([
      '# upstream app (managed)',
      'upstream app {',
      '    least_conn;',
      '    server 127.0.0.1:8001 max_fails=2 fail_timeout=5s down; # hz-a',
      '    server 127.0.0.1:8002;                               # hz-b',
      '    server unix:/run/app.sock weight=5;',
      '    server 10.0.0.9:80;',
      '}',
      'upstream other { server 127.0.0.1:9000; }',
      '',
    ]);
    expect(parseUpstream(out, 'app').servers.map((s) => `${s.addr}=${s.state}/${s.weight}`)).toEqual([
      '127.0.0.1:8001=down/1',
      '127.0.0.1:8002=up/1',
      'unix:/run/app.sock=up/5',
      '10.0.0.9:80=up/1',
    ]);
    // an edit that changes nothing gives back the same text
    expect(editUpstream(BLOCK, 'app', { '127.0.0.1:8002': { weight: 3 } })).toBe(BLOCK);
    expect(() => editUpstream(BLOCK, 'app', { '127.0.0.1:9000': { state: 'down' } })).toThrow('no server 127.0.0.1:9000 in upstream app');
  });

  test('backup replaces down and the other way round', () => {
    const once = editUpstream('server a:1 down;\nserver b:2;\n', undefined, { 'a:1': { state: 'backup' }, 'b:2': { state: 'down' } });
    expect(once).toBe('server a:1 backup;\nserver b:2 down;\n');
  });
});
