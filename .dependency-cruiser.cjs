/**
 * The layers of src/, as code (README: "Architecture"). Each folder may import only itself and the
 * folders below it; folders on one line are siblings and do not import each other. No import cycles.
 * `npm run lint` (and so `npm test`) runs this: an import that points back up fails with the file
 * that made it.
 *
 *   cli                     the terminal: commands, output, exit codes
 *   rehearsal               rehearse: fault, detection, RTO, schedule
 *   engine                  the executor, a run's session, rollback
 *   plan, report            dry-run plans; reports read from journals
 *   runbook                 load, validate, normalize a runbook
 *   kinds                   the step kinds (the code behind each `kind:`)
 *   probe                   read-only checks (exec, http, redis, sql)
 *   rules, state, lab       routing rules; runs, journals, locks; the local lab
 *   infra, yaml             OS processes and server clients; reading YAML with positions
 *   model                   the shared contracts: events, records, the kind contract, probe types
 *   util                    small pure helpers
 */
const LAYERS = [
  ['cli'],
  ['rehearsal'],
  ['engine'],
  ['plan', 'report'],
  ['runbook'],
  ['kinds'],
  ['probe'],
  ['rules', 'state', 'lab'],
  ['infra', 'yaml'],
  ['model'],
  ['util'],
];

/** The one import allowed to run back up, until the session helper removes it (issue 14 §1). */
const KNOWN_EXCEPTIONS = [
  {
    // engine/session.ts and rehearsal/session-phases.ts import each other: one session for every
    // run-like command is the next step (issue 14 §1), which removes this exception.
    from: '^src/engine/session\\.ts$',
    to: '^src/rehearsal/session-phases\\.ts$',
  },
];

const exceptionPaths = KNOWN_EXCEPTIONS.map((e) => e.to).join('|');

const layerRules = LAYERS.flatMap((folders, rank) => {
  const above = LAYERS.slice(0, rank).flat();
  const siblings = folders.length > 1 ? folders : [];
  return folders.map((folder) => ({
    name: `layer-${folder}`,
    severity: 'error',
    comment: `src/${folder} may import only src/${folder} and the folders below it (${LAYERS.slice(rank + 1).flat().join(', ') || 'none'})`,
    from: { path: `^src/${folder}/`, ...(folder === 'engine' ? { pathNot: KNOWN_EXCEPTIONS.map((e) => e.from) } : {}) },
    to: { path: `^src/(${[...above, ...siblings.filter((s) => s !== folder)].join('|')})/` },
  })).filter((r) => r.to.path !== '^src/()/');
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'src/ has no import cycles (type-only imports count)',
      // the named exception's two edges (from and to session-phases.ts) are left out until it is removed
      from: { path: '^src/', pathNot: exceptionPaths },
      to: { circular: true, pathNot: exceptionPaths },
    },
    ...layerRules,
    {
      name: 'session-exception-only',
      severity: 'error',
      comment: 'engine/session.ts may import rehearsal/session-phases.ts only (the named exception), nothing else above it',
      from: { path: KNOWN_EXCEPTIONS.map((e) => e.from) },
      to: { path: `^src/(${LAYERS.slice(0, 2).flat().join('|')})/`, pathNot: exceptionPaths },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'an import that resolves to nothing',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    exclude: { path: '\\.generated\\.js$' },
  },
};
