// The path as the request log keeps it: no query string (it may hold a token) and no invitation token (the
// link /invite/<token> is itself the secret that lets someone join the team).
const INVITE = /^\/invite\/[^/]+/;

export function loggedPath(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0]!.split('#')[0]!;
  return path.replace(INVITE, '/invite/[redacted]').slice(0, 500);
}
