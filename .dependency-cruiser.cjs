/**
 * The layers of src/, as code (README: "Architecture"). Each folder may import only itself and the
 * folders below it; folders on one line are siblings and do not import each other. No import cycles.
 * `npm run lint` (and so `npm test`) runs this: an import that points back up fails with the file
 * that made it.
 *
 *   cli                     the terminal: commands, output, exit codes
 *   assess                  what-if over the catalog: assess, inspect (reads rehearsals' history)
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
  ['assess'],
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

const layerRules = LAYERS.flatMap((folders, rank) => {
  const above = LAYERS.slice(0, rank).flat();
  const siblings = folders.length > 1 ? folders : [];
  return folders
    .map((folder) => ({
      name: `layer-${folder}`,
      severity: 'error',
      comment: `src/${folder} may import only src/${folder} and the folders below it (${
        LAYERS.slice(rank + 1)
          .flat()
          .join(', ') || 'none'
      })`,
      from: { path: `^src/${folder}/` },
      to: { path: `^src/(${[...above, ...siblings.filter((s) => s !== folder)].join('|')})/` },
    }))
    .filter((r) => r.to.path !== '^src/()/');
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'src/ has no import cycles (type-only imports count)',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...layerRules,
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
