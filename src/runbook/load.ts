import { loadYamlFile, type LoadedYaml } from '../util/yaml-file.js';

export type LoadedRunbook = LoadedYaml;

export const loadRunbookFile = (file: string): Promise<LoadedRunbook> => loadYamlFile(file, 'runbook');
