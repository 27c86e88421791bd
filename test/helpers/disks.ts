/**
 * Test and bench cleanup for workspace disks: unmounts every mount under the
 * given data dirs and detaches the loop devices of their images, so a run
 * leaves no mount or loop device behind (the daemon keeps them across its
 * own restarts on purpose).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

interface LoopDevice {
  name: string;
  'back-file': string | null;
}

function loops(): LoopDevice[] {
  try {
    const out = execFileSync('losetup', ['--list', '--json', '--output', 'NAME,BACK-FILE'], { encoding: 'utf8' });
    return out.trim() === '' ? [] : ((JSON.parse(out) as { loopdevices: LoopDevice[] }).loopdevices ?? []);
  } catch {
    return [];
  }
}

function mountsUnder(match: (p: string) => boolean): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => p !== undefined && match(p))
    .sort((a, b) => b.length - a.length);
}

/** Releases disks whose paths match (a data dir prefix, or a test-run tmp prefix). */
export function releaseDisks(match: (p: string) => boolean): { unmounted: number; detached: number } {
  let unmounted = 0;
  let detached = 0;
  for (const p of mountsUnder(match)) {
    try {
      execFileSync('umount', [p], { stdio: 'ignore' });
      unmounted++;
    } catch {
      /* already gone */
    }
  }
  for (const l of loops()) {
    if (!l['back-file'] || !match(l['back-file'].replace(/ \(deleted\)$/, ''))) continue;
    try {
      execFileSync('losetup', ['--detach', l.name], { stdio: 'ignore' });
      detached++;
    } catch {
      /* busy or gone */
    }
  }
  return { unmounted, detached };
}
