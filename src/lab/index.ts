/** The local lab: real servers on loopback, started and stopped by pid (see docs and lab.md). */
export { abandonNetnsLab, labUp, makeNetnsLab, type LabUpOptions } from './up.js';
export { insideNetns, netnsExists } from './netns.js';
export { hostOf, netnsNet, type LabNet } from './net.js';
export { labDown } from './down.js';
export { labStatus } from './status.js';
export { labFreeze, labThaw } from './freeze.js';
export { loadLabState, labStatePath } from './state-file.js';
export { readTsigSecret } from './bind.js';
export { DEFAULT_BASE_PORT, DEFAULT_LAB_DIR, DATA_CENTERS, CITIES, labPorts, type DataCenter, type LabPorts } from './topology.js';
export type { LabPgMember, LabProcess, LabProcessStatus, LabRedisGroup, LabState, LabStatus } from './types.js';
