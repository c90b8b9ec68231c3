import type { StepKind } from '../model/kind.js';

/** Identity helper: lets TypeScript infer P and S from the object literal. */
export function defineKind<P, S>(kind: StepKind<P, S>): StepKind<P, S> {
  return kind;
}
