// Telling "the database is unreachable" (retry later, say so) from "the query failed" (a policy,
// a bad value): errors with a SQLSTATE outside classes 08 and 57P come from the query itself.

export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code.startsWith('08') || code.startsWith('57P');
  return true;
}
