// Puts a server's per-field issues on a react-hook-form form; the rest are returned for a general message.
import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';

export function applyIssues<T extends FieldValues>(
  setError: UseFormSetError<T>,
  fields: readonly string[],
  issues: { path: string; message: string }[] = [],
): { path: string; message: string }[] {
  const rest: { path: string; message: string }[] = [];
  let focused = false;
  for (const issue of issues) {
    if (fields.includes(issue.path)) {
      setError(issue.path as Path<T>, { type: 'server', message: issue.message }, { shouldFocus: !focused });
      focused = true;
    } else rest.push(issue);
  }
  return rest;
}
