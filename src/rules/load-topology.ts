import { hasSyntaxErrors, loadYamlFile, parseYamlText, type LoadedYaml } from '../yaml/file.js';
import { validateTopology, type TopologyValidation } from './validate-topology.js';
import type { Locate } from './diagnostics.js';

export interface LoadedTopology extends TopologyValidation {
  readonly file: string;
  /** Positions in the file, for diagnostics computed later (flip checks). */
  readonly locate: Locate;
}

/** Parse and validate topology YAML text; YAML syntax errors come back as diagnostics too. */
export function parseTopologyText(text: string, file: string): LoadedTopology {
  return fromParsed(parseYamlText(file, text));
}

/** Read a topology file. A missing file is a DrctlError (exit 3); problems inside it are diagnostics. */
export async function loadTopologyFile(file: string): Promise<LoadedTopology> {
  return fromParsed(await loadYamlFile(file, 'topology file'));
}

function fromParsed(parsed: Omit<LoadedYaml, 'hash'>): LoadedTopology {
  const { sourceMap } = parsed;
  const locate: Locate = (path, part = 'value') => (part === 'key' ? sourceMap.locateKey(path) : sourceMap.locate(path));
  if (hasSyntaxErrors(parsed.diagnostics)) return { file: parsed.file, locate, diagnostics: parsed.diagnostics };
  const validated = validateTopology(parsed.data, locate);
  return { file: parsed.file, locate, ...validated, diagnostics: [...parsed.diagnostics, ...validated.diagnostics] };
}
