import { loadYamlFile, type LoadedYaml } from '../yaml/file.js';

export type LoadedRunbook = LoadedYaml;

export const loadRunbookFile = (file: string): Promise<LoadedRunbook> => loadYamlFile(file, 'runbook');
