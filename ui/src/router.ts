/**
 * Routes live in the URL's hash (#/s/demo/files): the daemon serves one page,
 * links and the back button work, and a reload lands where it was.
 */
import { useEffect, useState } from 'preact/hooks';

export function currentPath(): string[] {
  return location.hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p));
}

/** The path's segments, kept up to date. */
export function useRoute(): string[] {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = () => setPath(currentPath());
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return path;
}

/** A link target for segments (each encoded). */
export function href(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join('/')}`;
}

export function navigate(...segments: string[]): void {
  location.hash = href(...segments);
}
