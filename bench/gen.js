// Generators of the benchmarks' inputs: runbooks, a Makefile, a bash script, Ansible playbooks.
// The same DAG is written for every tool, so they all run exactly the same commands.
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR } from './measure.js';

const q = (s) => JSON.stringify(String(s));
const flow = (items) => `[${items.map(q).join(', ')}]`;

/** Step ids of a layered DAG: layer l, position i. */
export const dagId = (l, i) => `s${l}-${i}`;

function runbookHead(name, { concurrency, plugins } = {}) {
  return [
    'apiVersion: drctl/v1',
    'kind: Runbook',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    ...(concurrency ? [`  concurrency: ${concurrency}`] : []),
    ...(plugins ? [`  plugins: ${flow(plugins)}`] : []),
    '  steps:',
  ];
}

/** `layers` layers of `width` exec steps; each step needs every step of the layer before. */
export function dagRunbook({ layers, width, argv, concurrency = width, name = 'bench-dag' }) {
  const lines = runbookHead(name, { concurrency });
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < width; i++) {
      lines.push(`    - id: ${dagId(l, i)}`, '      kind: exec');
      if (l > 0) lines.push(`      needs: ${flow(Array.from({ length: width }, (_, j) => dagId(l - 1, j)))}`);
      lines.push('      with:', `        apply: ${flow(argv)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** n exec steps, each needing the one before. */
export function chainRunbook({ n, argv, name = 'bench-chain' }) {
  const lines = runbookHead(name, { concurrency: 1 });
  for (let i = 0; i < n; i++) {
    lines.push(`    - id: s${i}`, '      kind: exec');
    if (i > 0) lines.push(`      needs: [s${i - 1}]`);
    lines.push('      with:', `        apply: ${flow(argv)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** n steps of the in-process no-op kind (bench/plugins/noop-kind.mjs), independent or chained. */
export function noopRunbook({ n, chained, concurrency = 10, name = 'bench-scale' }) {
  const lines = runbookHead(name, { concurrency, plugins: ['./noop-kind.mjs'] });
  for (let i = 0; i < n; i++) {
    lines.push(`    - id: s${i}`, '      kind: bench.noop');
    if (chained && i > 0) lines.push(`      needs: [s${i - 1}]`);
  }
  return `${lines.join('\n')}\n`;
}

/** Write a runbook that uses the no-op kind, with the plugin beside it. Returns the runbook's path. */
export function writeNoopRunbook(dir, file, options) {
  copyFileSync(path.join(BENCH_DIR, 'plugins', 'noop-kind.mjs'), path.join(dir, 'noop-kind.mjs'));
  const p = path.join(dir, file);
  writeFileSync(p, noopRunbook(options));
  return p;
}

const shellWord = (s) => (/^[\w./=:-]+$/.test(s) ? s : `'${String(s).replace(/'/g, `'\\''`)}'`);
const shellLine = (argv) => argv.map(shellWord).join(' ');

/** The same layered DAG as a Makefile (phony targets; run with make -jN). */
export function dagMakefile({ layers, width, argv }) {
  const out = ['.PHONY: all', `all: ${Array.from({ length: width }, (_, i) => dagId(layers - 1, i)).join(' ')}`, ''];
  for (let l = 0; l < layers; l++) {
    const deps = l === 0 ? '' : ` ${Array.from({ length: width }, (_, j) => dagId(l - 1, j)).join(' ')}`;
    for (let i = 0; i < width; i++) out.push(`.PHONY: ${dagId(l, i)}`, `${dagId(l, i)}:${deps}`, `\t@${shellLine(argv)}`, '');
  }
  return out.join('\n');
}

/** n commands in sequence as a bash script. */
export function chainScript({ n, argv }) {
  return ['#!/bin/bash', 'set -e', ...Array.from({ length: n }, () => shellLine(argv)), ''].join('\n');
}

/** An Ansible playbook running `count` tasks of `argv` one after another on localhost (no facts). */
export function serialPlaybook({ ids, argv }) {
  const out = ['- hosts: localhost', '  connection: local', '  gather_facts: false', '  tasks:'];
  for (const id of ids) out.push(`    - name: ${id}`, `      command: ${q(shellLine(argv))}`);
  return `${out.join('\n')}\n`;
}

/** A 200-step runbook of the kind an operator writes (exec with observe, needs, params, budgets). */
export function realisticRunbook({ n, name = 'bench-cold' }) {
  const lines = [
    'apiVersion: drctl/v1',
    'kind: Runbook',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  params:',
    '    to: { default: sh-a, description: surviving data center }',
    '  concurrency: 8',
    '  defaults: { timeout: 30s, retries: 1, retryBackoff: 500ms }',
    '  steps:',
  ];
  for (let i = 0; i < n; i++) {
    lines.push(`    - id: step-${i}`, '      kind: exec', `      budget: 2s`);
    if (i >= 4) lines.push(`      needs: [step-${i - 4}]`);
    lines.push(
      '      with:',
      `        observe: { cmd: [cat, "state/${i}"], doneWhen: { stdoutEquals: "\${params.to}" } }`,
      `        apply: [sh, -c, "echo \${params.to} > state/${i}"]`,
      `        rollback: [sh, -c, "echo hz-a > state/${i}"]`,
    );
  }
  return `${lines.join('\n')}\n`;
}
