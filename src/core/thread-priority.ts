/**
 * Lowers the scheduling priority of the calling thread (Linux): a worker thread doing admin work (a 5 MB
 * apply) then yields the CPU to the proxy's thread on a busy host instead of sharing it equally. On Linux
 * each thread has its own nice value, set through its thread id, read here from /proc/thread-self.
 * Elsewhere this does nothing: `os.setPriority` there applies to the whole process.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The highest nice value (lowest priority) Linux allows. */
const LOWEST = 19;

/** Returns the nice value now in force for this thread, or undefined when it could not be changed. */
export function lowerThreadPriority(by = 10): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    // "<pid>/task/<tid>"
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return undefined;
    const next = Math.min(LOWEST, getPriority(tid) + by);
    setPriority(tid, next);
    return getPriority(tid);
  } catch {
    // A container without /proc, or a seccomp profile refusing setpriority: the work runs at the
    // process's priority, as it did on the proxy's thread.
    return undefined;
  }
}
