// Optimistic redirect of anonymous visitors to sign-in (pages and actions still check the session
// themselves), and the headers that keep every page out of other sites' frames (clickjacking).
import { NextResponse, type NextRequest } from 'next/server';

const SESSION_COOKIES = ['authjs.session-token', '__Secure-authjs.session-token'];
const PUBLIC_PAGES = ['/login', '/setup', '/invite'];

function framed(res: NextResponse): NextResponse {
  res.headers.set('content-security-policy', "frame-ancestors 'none'");
  res.headers.set('x-frame-options', 'DENY');
  return res;
}

export function proxy(request: NextRequest) {
  const path = request.nextUrl.pathname;
  const isPublic = PUBLIC_PAGES.some((p) => path === p || path.startsWith(p + '/'));
  const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name));
  if (isPublic || hasSession) return framed(NextResponse.next());
  const url = new URL('/login', request.url);
  if (path !== '/') url.searchParams.set('next', path + request.nextUrl.search);
  return framed(NextResponse.redirect(url));
}

export const config = {
  // Every page: not the APIs and not static files.
  matcher: ['/((?!api/|_next/|favicon\\.ico|icon\\.svg|robots\\.txt).*)'],
};
