// What the figures were measured on, and how busy the machine was: it is shared, so a figure means
// little without the load beside it. Also the one Dovecot resource other test runs can exhaust: IDLE
// needs an inotify instance, 128 per uid, and every test Dovecot's mail processes share uid 65534.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';

export interface Machine {
  cpus: number;
  model: string;
  node: string;
  dovecot: string;
}

export async function machine(): Promise<Machine> {
  const cpus = os.cpus();
  const dovecot = await promisify(execFile)('dovecot', ['--version'], { env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin` } }).then(
    (r) => r.stdout.trim().split(' ')[0] ?? '?',
    () => '?',
  );
  return { cpus: cpus.length, model: cpus[0]?.model.trim() ?? 'unknown', node: process.version, dovecot };
}

export function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

/** Busy and total jiffies of all CPUs, to tell how much of the machine was in use over an interval. */
export async function cpuTimes(): Promise<{ busy: number; total: number }> {
  const line = (await fs.readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** inotify instances held by processes of `uid` (Dovecot's mail processes run as 65534 under root). */
export async function inotifyInstances(uid = 65534): Promise<number> {
  let count = 0;
  for (const pid of (await fs.readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) !== uid) continue;
    const fds = await fs.readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) if ((await fs.readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) === 'anon_inode:inotify') count++;
  }
  return count;
}

interface Proc {
  pid: number;
  ppid: number;
  jiffies: number;
  cmdline: string;
}

async function processes(): Promise<Proc[]> {
  const out: Proc[] = [];
  for (const name of (await fs.readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    const stat = await fs.readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // The command name in parentheses may hold spaces: the fields start after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.length < 15) continue;
    const cmdline = (await fs.readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ');
    out.push({ pid: Number(name), ppid: Number(fields[1]), jiffies: Number(fields[11]) + Number(fields[12]), cmdline });
  }
  return out;
}

export type Markers = Record<string, (p: { pid: number; cmdline: string }) => boolean>;

/** Each process's CPU jiffies so far and its group: the first marker matching it or an ancestor. */
export async function cpuByProcess(markers: Markers): Promise<Map<number, { group: string; jiffies: number }>> {
  const procs = await processes();
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const groupOf = (p: Proc): string => {
    for (let cur: Proc | undefined = p; cur; cur = byPid.get(cur.ppid)) {
      for (const [group, match] of Object.entries(markers)) if (match(cur)) return group;
      if (cur.ppid === cur.pid) break;
    }
    return 'everything else on the machine';
  };
  return new Map(procs.map((p) => [p.pid, { group: groupOf(p), jiffies: p.jiffies }]));
}

/**
 * Jiffies per group between two samples, counted per process: one that exited in between is left out
 * (its last jiffies are unknown) rather than making its group's total go down.
 */
export function cpuBetween(before: Map<number, { jiffies: number }>, after: Map<number, { group: string; jiffies: number }>): Map<string, number> {
  const totals = new Map<string, number>();
  for (const [pid, p] of after) totals.set(p.group, (totals.get(p.group) ?? 0) + p.jiffies - (before.get(pid)?.jiffies ?? 0));
  return totals;
}
