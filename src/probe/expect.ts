import { isDeepStrictEqual } from 'node:util';
import { HOLDS, notYet, type Holds } from '../model/kind.js';
import { readJsonPath } from './json-path.js';
import { checkRange } from './tolerance.js';
import type { ExecExpectation, HttpExpectation, JsonExpectation } from '../model/probe.js';

export type { ExecExpectation, HttpExpectation, JsonExpectation } from '../model/probe.js';

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? 'undefined'));

export function checkExec(expect: ExecExpectation | undefined, exitCode: number | undefined, stdout: string): Holds {
  const codes = expect?.exitCode ?? [0];
  if (exitCode === undefined || !codes.includes(exitCode)) {
    return notYet(`exit code ${exitCode ?? 'none'}, want ${codes.join(' or ')}`);
  }
  if (expect?.stdoutEquals !== undefined && stdout.trim() !== expect.stdoutEquals) {
    return notYet(`output ${show(stdout.trim())}, want ${show(expect.stdoutEquals)}`);
  }
  if (expect?.stdoutMatches !== undefined && !new RegExp(expect.stdoutMatches).test(stdout)) {
    return notYet(`output ${show(clip(stdout))} does not match /${expect.stdoutMatches}/`);
  }
  if (expect?.range !== undefined) return checkRange(expect.range, stdout.trim(), 'output');
  return HOLDS;
}

export function checkHttp(expect: HttpExpectation | undefined, status: number, body: string): Holds {
  const ok = expect?.status ? expect.status.includes(status) : status >= 200 && status < 300;
  if (!ok) return notYet(`HTTP ${status}, want ${expect?.status?.join(' or ') ?? '2xx'}`);
  if (expect?.bodyMatches !== undefined && !new RegExp(expect.bodyMatches).test(body)) {
    return notYet(`body ${show(clip(body))} does not match /${expect.bodyMatches}/`);
  }
  if (expect?.json && expect.json.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return notYet(`body is not JSON: ${show(clip(body))}`);
    }
    for (const j of expect.json) {
      const held = checkJson(j, readJsonPath(parsed, j.path));
      if (!held.ok) return held;
    }
  }
  return HOLDS;
}

function checkJson(j: JsonExpectation, actual: unknown): Holds {
  if (j.equals !== undefined && !isDeepStrictEqual(actual, j.equals)) {
    return notYet(`${j.path} is ${show(actual)}, want ${show(j.equals)}`);
  }
  if (j.matches !== undefined && !new RegExp(j.matches).test(String(actual))) {
    return notYet(`${j.path} is ${show(actual)}, want /${j.matches}/`);
  }
  if (j.in !== undefined && !j.in.some((v) => isDeepStrictEqual(v, actual))) {
    return notYet(`${j.path} is ${show(actual)}, want one of ${show(j.in)}`);
  }
  if (j.range !== undefined) return checkRange(j.range, actual, j.path);
  return HOLDS;
}

function clip(text: string, max = 120): string {
  const t = text.trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}
