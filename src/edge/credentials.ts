/**
 * Where a preview token travels: the `?token=` query parameter, the
 * X-Sandboxed-Preview-Token header, or a host-only cookie. Found here,
 * and stripped here before the request reaches the app.
 */
import { parseCookie, stringifySetCookie } from 'cookie';

/** Where a token may come from, in order of precedence. */
export const TOKEN_QUERY = 'token';
export const TOKEN_HEADER = 'x-sandboxed-preview-token';
/** Host-only cookie (no Domain attribute): one preview host never sees another's token. */
export const TOKEN_COOKIE = 'sandboxed_preview';
/**
 * Over TLS the cookie carries the `__Host-` prefix: browsers then refuse it from
 * any Set-Cookie with a Domain attribute, so a sibling preview cannot toss one
 * onto this host. Plain HTTP keeps the bare name (the prefix requires Secure).
 */
export const TOKEN_COOKIE_TLS = `__Host-${TOKEN_COOKIE}`;
/**
 * Tossed cookies arrive beside ours (a sibling host may set one for the parent
 * domain, and browsers send longer paths first), so every token cookie is a
 * candidate, but only this many are verified per request.
 */
export const MAX_TOKEN_COOKIES = 8;

export function tokenCookieName(tls: boolean): string {
  return tls ? TOKEN_COOKIE_TLS : TOKEN_COOKIE;
}

/**
 * Every value of one cookie, in the order sent, at most MAX_TOKEN_COOKIES.
 * `cookie`'s parser keeps only the first of equal names, so each pair is
 * parsed on its own. The header is bounded by Node's header size limit (16 KiB).
 */
export function cookieValues(header: string | undefined, name: string): string[] {
  const out: string[] = [];
  if (!header) return out;
  for (const pair of header.split(';')) {
    const value = parseCookie(pair)[name];
    if (value) out.push(value);
    if (out.length === MAX_TOKEN_COOKIES) break;
  }
  return out;
}

/** The Cookie header without ours (both names), or undefined when nothing else is left. */
export function stripTokenCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const kept = header
    .split(';')
    .map((p) => p.trim())
    .filter((p) => {
      const name = p.split('=')[0].trim();
      return p !== '' && name !== TOKEN_COOKIE && name !== TOKEN_COOKIE_TLS;
    });
  return kept.length > 0 ? kept.join('; ') : undefined;
}

/** HttpOnly, Lax, host-only, Path=/. Secure (and `__Host-`) only over TLS, so it works on http://*.localhost. */
export function tokenCookie(token: string, maxAgeS: number, tls: boolean): string {
  return stringifySetCookie({
    name: tokenCookieName(tls),
    value: token,
    path: '/',
    maxAge: Math.max(0, maxAgeS),
    httpOnly: true,
    sameSite: 'lax',
    secure: tls,
  });
}

export function clearTokenCookie(tls: boolean): string {
  return tokenCookie('', 0, tls);
}

/**
 * The request target as a path on this host, for a redirect: the absolute form
 * (`http://other/x`) loses its authority, and leading slashes, backslashes and
 * control characters collapse into one `/`, so `//evil.example/` never becomes a
 * protocol-relative Location. Runs on the request line, which Node bounds.
 */
export function sameHostPath(target: string): string {
  let t = target;
  if (!t.startsWith('/')) {
    try {
      const u = new URL(t);
      t = `${u.pathname}${u.search}`;
    } catch {
      t = '/';
    }
  }
  // eslint-disable-next-line no-control-regex
  return `/${t.replace(/^[\x00-\x20/\\]+/, '')}`;
}

/** The URL without our `token` query parameter; everything else stays byte for byte. */
export function withoutTokenParam(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const kept = url
    .slice(q + 1)
    .split('&')
    .filter((p) => p !== '' && p.split('=')[0] !== TOKEN_QUERY);
  return kept.length > 0 ? `${url.slice(0, q)}?${kept.join('&')}` : url.slice(0, q);
}

export function queryToken(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  for (const p of url.slice(q + 1).split('&')) {
    const eq = p.indexOf('=');
    if (eq > 0 && p.slice(0, eq) === TOKEN_QUERY) {
      try {
        return decodeURIComponent(p.slice(eq + 1));
      } catch {
        return p.slice(eq + 1);
      }
    }
  }
  return undefined;
}
