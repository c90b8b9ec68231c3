import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './cli.js';

const run = promisify(execFile);
/** Debian's python3 (python3-junitparser, python3-markdown are its packages; a pyenv python would not see them). */
export const PYTHON = '/usr/bin/python3';
export const JENKINS_XSD = path.join(ROOT, 'test/fixtures/junit/jenkins-junit.xsd');

/** xmllint (libxml2-utils) against the Jenkins JUnit schema: '' when valid, else its complaint. */
export async function xmllintProblems(file: string): Promise<string> {
  try {
    await run('xmllint', ['--noout', '--schema', JENKINS_XSD, file]);
    return '';
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? e);
  }
}

export interface ParsedCase {
  readonly classname: string;
  readonly name: string;
  readonly results: readonly {
    readonly tag: string;
    readonly type: string | null;
    readonly message: string | null;
    readonly text: string | null;
  }[];
}

/** What junitparser (the python3 package CI tools use) reads from a JUnit file. */
export async function junitparser(
  file: string,
): Promise<{ tests: number; failures: number; errors: number; skipped: number; cases: ParsedCase[] }> {
  const script = `
import json, sys
from junitparser import JUnitXml, TestSuite
xml = JUnitXml.fromfile(sys.argv[1])
suites = [xml] if isinstance(xml, TestSuite) else list(xml)
cases = []
for suite in suites:
    for case in suite:
        cases.append({"classname": case.classname, "name": case.name,
                      "results": [{"tag": r._tag, "type": r.type, "message": r.message, "text": r.text} for r in case.result]})
s = suites[0]
print(json.dumps({"tests": s.tests, "failures": s.failures, "errors": s.errors, "skipped": s.skipped, "cases": cases}))
`;
  const { stdout } = await run(PYTHON, ['-c', script, file]);
  return JSON.parse(stdout) as Awaited<ReturnType<typeof junitparser>>;
}

/** python-markdown (with tables, as CI job pages render Markdown) → HTML. */
export async function markdownToHtml(file: string): Promise<string> {
  const { stdout } = await run(PYTHON, [
    '-c',
    'import sys, markdown; print(markdown.markdown(open(sys.argv[1]).read(), extensions=["tables"]))',
    file,
  ]);
  return stdout;
}
