import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { LspClient } from '../helpers/lsp-client.js';
import { makeTmpDir } from '../helpers/tmp-dir.js';

interface Diagnostic {
  readonly range: { readonly start: { readonly line: number; readonly character: number } };
  readonly message: string;
}
interface CompletionItem {
  readonly label: string;
  readonly documentation?: string | { readonly value: string };
}

const SERVER = path.join(ROOT, 'node_modules/yaml-language-server/bin/yaml-language-server');
const schemaUrl = (name: string): string => pathToFileURL(path.join(ROOT, 'runbooks/schema', name)).href;

/**
 * The committed schemas as an editor uses them: yaml-language-server (what VS Code's YAML extension,
 * Neovim and Helix run) over LSP on stdio, with the files' own `# yaml-language-server: $schema=` line.
 */
describe('the editor schemas in yaml-language-server', () => {
  let lsp: LspClient;
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  let version = 0;
  const open = async (name: string, text: string): Promise<string> => {
    const file = path.join(dir, name);
    await writeFile(file, text);
    const uri = pathToFileURL(file).href;
    lsp.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: ++version, text } });
    return uri;
  };
  const diagnosticsOf = async (uri: string): Promise<Diagnostic[]> =>
    (
      (
        await lsp.waitFor(
          (m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { uri: string }).uri === uri,
          `diagnostics of ${uri}`,
        )
      ).params as { diagnostics: Diagnostic[] }
    ).diagnostics;

  beforeAll(async () => {
    if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: npm ci installs yaml-language-server (a devDependency)`);
    ({ dir, cleanup } = await makeTmpDir('drctl-lsp-'));
    const yaml = { validate: true, hover: true, completion: true, schemaStore: { enable: false }, schemas: {}, format: { enable: false } };
    lsp = new LspClient('node', [SERVER, '--stdio'], (section) => (section === 'yaml' ? yaml : section === undefined ? { yaml } : null));
    await lsp.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(dir).href,
      workspaceFolders: null,
      capabilities: {
        workspace: { configuration: true },
        textDocument: {
          completion: { completionItem: { documentationFormat: ['plaintext'] } },
          hover: { contentFormat: ['plaintext'] },
          publishDiagnostics: {},
        },
      },
    });
    lsp.notify('initialized', {});
    lsp.notify('workspace/didChangeConfiguration', { settings: { yaml } });
  });
  afterAll(async () => {
    await lsp.close();
    await cleanup();
  });

  const runbook = (kind: string): string => `# yaml-language-server: $schema=${schemaUrl('runbook.schema.json')}
apiVersion: drctl/v1
kind: Runbook
metadata: { name: lsp-check }
spec:
  steps:
    - id: a
      kind: ${kind}
      timeout: 30s
      with: { apply: [true] }
`;

  it('kind: exce gets a diagnostic on its line; a built-in kind and a plug-in kind do not', async () => {
    const bad = await diagnosticsOf(await open('bad.yaml', runbook('exce')));
    expect(
      bad.map((d) => d.range.start.line),
      JSON.stringify(bad),
    ).toContain(7);
    expect(await diagnosticsOf(await open('good.yaml', runbook('exec')))).toEqual([]);
    expect((await diagnosticsOf(await open('plugin.yaml', runbook('acme.toggle')))).filter((d) => d.range.start.line === 7)).toEqual([]);
  });

  it('completing kind: offers the built-in kinds, each with its description', async () => {
    const uri = await open('complete.yaml', runbook(''));
    await diagnosticsOf(uri);
    const result = await lsp.request<{ items: CompletionItem[] } | CompletionItem[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 7, character: 12 },
    });
    const items = Array.isArray(result) ? result : result.items;
    const doc = (label: string): string => {
      const d = items.find((i) => i.label === label)?.documentation;
      return typeof d === 'string' ? d : (d?.value ?? '');
    };
    expect(items.map((i) => i.label)).toEqual(expect.arrayContaining(['exec', 'redis.failover', 'dns.record', 'wait']));
    expect(doc('redis.failover')).toMatch(/Redis group/);
    expect(doc('exec')).toMatch(/never a shell/);
  });

  it('hover names the field (not "drctl runbook") and says what it is', async () => {
    const uri = await open('hover.yaml', runbook('exec'));
    await diagnosticsOf(uri);
    const hover = await lsp.request<{ contents: { value: string } | string }>('textDocument/hover', {
      textDocument: { uri },
      position: { line: 8, character: 8 },
    });
    const text = typeof hover.contents === 'string' ? hover.contents : hover.contents.value;
    expect(text).toMatch(/^#### timeout/);
    expect(text).toMatch(/Time limit for the step/);
  });

  it('a topology file is checked against the topology schema', async () => {
    const text = `# yaml-language-server: $schema=${schemaUrl('topology.schema.json')}
apiVersion: drctl/v1
kind: Topology
spec:
  cities:
    hz:
      dcs:
        hz-a:
          zones:
            RZ01: { capacity: lots, shards: ["00-99"], partners: [] }
`;
    const d = await diagnosticsOf(await open('topology.yaml', text));
    expect(
      d.map((x) => x.range.start.line),
      JSON.stringify(d),
    ).toEqual([9]);
  });
});
