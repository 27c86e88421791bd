/**
 * Available memory, cgroup-aware: the smaller of the kernel's MemAvailable and
 * what the enclosing cgroup still allows (v2 memory.max/current, v1
 * limit_in_bytes/usage_in_bytes). Both paths are settings so a test (or an
 * LXCFS host) can point them elsewhere.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface MemoryReading {
  availableMb: number;
  totalMb: number;
}

export function parseMeminfo(text: string): MemoryReading | null {
  const kb = (key: string): number | null => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  if (total === null || available === null) return null;
  return { availableMb: Math.floor(available / 1024), totalMb: Math.floor(total / 1024) };
}

function readNumber(file: string): number | null {
  try {
    const v = readFileSync(file, 'utf8').trim();
    if (v === 'max') return null;
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/** Remaining bytes under the cgroup limit, or null when there is no limit. */
export function cgroupRemainingMb(root: string): number | null {
  const pairs: [string, string][] = [
    ['memory.max', 'memory.current'],
    ['memory/memory.limit_in_bytes', 'memory/memory.usage_in_bytes'],
  ];
  for (const [limitFile, usageFile] of pairs) {
    const limit = readNumber(path.join(root, limitFile));
    const usage = readNumber(path.join(root, usageFile));
    // v1 reports "no limit" as a huge number near 2^63.
    if (limit === null || usage === null || limit > 2 ** 60) continue;
    return Math.floor(Math.max(0, limit - usage) / (1024 * 1024));
  }
  return null;
}

export function readMemory(meminfoPath: string, cgroupRoot: string): MemoryReading {
  const info = parseMeminfo(readFileSync(meminfoPath, 'utf8'));
  if (!info) throw new Error(`${meminfoPath} has no MemTotal/MemAvailable`);
  const cg = cgroupRemainingMb(cgroupRoot);
  return cg === null ? info : { ...info, availableMb: Math.min(info.availableMb, cg) };
}
