import type { RetryPolicy } from '../runbook/types.js';

/** Delay before attempt `attempt` (2 = first retry): exponential backoff, capped. */
export function backoffDelayMs(policy: RetryPolicy, attempt: number): number {
  const exponent = Math.max(0, attempt - 2);
  return Math.min(policy.maxBackoffMs, Math.round(policy.backoffMs * policy.backoffFactor ** exponent));
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 0, backoffMs: 500, backoffFactor: 2, maxBackoffMs: 10_000 };
