// Optimistic redirect of anonymous visitors to sign-in. Pages and actions still check the session themselves.
import { NextResponse, type NextRequest } from 'next/server';

const SESSION_COOKIES = ['authjs.session-token', '__Secure-authjs.session-token'];

export function proxy(request: NextRequest) {
  const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name));
  if (hasSession) return NextResponse.next();
  const url = new URL('/login', request.url);
  if (request.nextUrl.pathname !== '/') url.searchParams.set('next', request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(url);
}

export const config = {
  // Everything but the APIs, sign-in, first-run setup and static files.
  matcher: ['/((?!api/|login|setup|_next/|favicon\\.ico|icon\\.svg|robots\\.txt).*)'],
};
