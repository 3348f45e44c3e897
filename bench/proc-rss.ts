/**
 * Resident memory and CPU time of a process tree, read from /proc (Linux): the process, every descendant, and
 * a sampler that records the tree's RSS every few hundred milliseconds while a benchmark runs.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** VmRSS of one process in bytes (0 when it has gone). */
export function processRss(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so split after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

/** The root and all its descendants. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const parent = parentOf(pid);
    if (parent === undefined) continue;
    const list = children.get(parent) ?? [];
    list.push(pid);
    children.set(parent, list);
  }
  const tree: number[] = [];
  const pending = [root];
  while (pending.length > 0 && tree.length < 10_000) {
    const pid = pending.pop() as number;
    tree.push(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** CPU seconds (user + system) used so far by one process, all its threads included (0 when it has gone). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the state field), in 1/100 s ticks.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

export const treeCpuSeconds = (root: number): number =>
  processTree(root).reduce((sum, pid) => sum + processCpuSeconds(pid), 0);

export const treeRss = (root: number): number =>
  processTree(root).reduce((sum, pid) => sum + processRss(pid), 0);

export interface RssSampler {
  /** Stops sampling; returns the peak and the samples (bytes). */
  stop(): { peak: number; samples: number[] };
}

export function sampleTreeRss(root: number, everyMs = 250): RssSampler {
  const samples: number[] = [treeRss(root)];
  const timer = setInterval(() => samples.push(treeRss(root)), everyMs);
  return {
    stop() {
      clearInterval(timer);
      samples.push(treeRss(root));
      return { peak: Math.max(...samples), samples };
    },
  };
}

export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** CPU seconds (user + system) so far of each thread of a process, by thread id (Linux /proc/<pid>/task). */
export function threadCpuSeconds(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // the thread ended
    }
  }
  return out;
}
