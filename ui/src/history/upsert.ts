import type { CallSummary } from '../api/generated';

/** The list with `call` replaced (by id) or added, newest (highest number) first, at most `limit` long. */
export function upsertCall(list: readonly CallSummary[], call: CallSummary, limit: number): CallSummary[] {
  const rest = list.filter((c) => c.id !== call.id);
  return [...rest, call].sort((a, b) => b.number - a.number).slice(0, limit);
}
