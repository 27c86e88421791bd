/**
 * Where a preview token travels: the `?token=` query parameter, the
 * X-Sandboxed-Preview-Token header, or a host-only cookie. Found here,
 * and stripped here before the request reaches the app.
 */

/** Where a token may come from, in order of precedence. */
export const TOKEN_QUERY = 'token';
export const TOKEN_HEADER = 'x-sandboxed-preview-token';
/** Host-only cookie (no Domain attribute): one preview host never sees another's token. */
export const TOKEN_COOKIE = 'sandboxed_preview';

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/** The Cookie header without ours, or undefined when nothing else is left. */
export function stripTokenCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const kept = header
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '' && p.split('=')[0].trim() !== TOKEN_COOKIE);
  return kept.length > 0 ? kept.join('; ') : undefined;
}

/** Not Secure on plain HTTP so it works on http://*.localhost; HttpOnly, Lax, host-only. */
export function tokenCookie(token: string, maxAgeS: number, secure: boolean): string {
  return `${TOKEN_COOKIE}=${token}; Path=/; Max-Age=${Math.max(0, maxAgeS)}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export function clearTokenCookie(secure: boolean): string {
  return tokenCookie('', 0, secure);
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
