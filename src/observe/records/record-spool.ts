/**
 * A bounded local file of call-record batches the store could not take (PostgreSQL away, SQLite locked
 * past its busy timeout), written back in order when it can. Without it, 2,380-3,091 records were lost
 * while PostgreSQL was away, and nothing said so.
 *
 * Frames, appended one per batch: u32 byte length · u32 record count · the batch encoded as a store block
 * (store/block-codec.ts: the bytes the store itself would keep, about 65 bytes a record). Little-endian.
 * A frame cut short by a crash is cut off when the file is opened again. No fsync: a process crash
 * loses nothing (the kernel has the writes), a power cut may lose the last writes — records are not
 * configuration, the same trade as the SQLite sink's `synchronous = NORMAL`.
 *
 * Files live in `<data dir>/spool/`, `records-<n>.spool`, each owned by one live process through
 * `records-<n>.lock` (its pid, created exclusively): the `--workers` of one node, or nodes sharing a
 * data directory, each get their own. The lock of a process that is gone is taken over, and with it
 * whatever that process left in its spool, which is then written like the rest.
 * Both files are 0600, the directory 0700.
 */
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { decodeBlock, encodeBlock } from '../store/block-codec.js';
import type { PackedBatch } from './packed-batch.js';

const HEADER = 8;
/** Spool files one data directory may hold (processes sharing it, and the ones they left). */
const MAX_FILES = 256;

export class RecordSpool {
  readonly file: string;
  readonly #lock: string;
  readonly #fd: number;
  readonly #maxBytes: number;
  /** Where the oldest waiting frame starts, and where the next one goes. */
  #read = 0;
  #write = 0;
  #records = 0;
  #frames = 0;
  #head: PackedBatch | undefined;

  private constructor(file: string, lock: string, fd: number, maxBytes: number) {
    this.file = file;
    this.#lock = lock;
    this.#fd = fd;
    this.#maxBytes = maxBytes;
    this.#recover();
  }

  /**
   * Whether `<dataDir>/spool` holds records an earlier run left (then the spool is opened at start, to
   * write them; otherwise only when first needed, so a node that never spools leaves nothing behind).
   */
  static leftovers(dataDir: string): boolean {
    try {
      const dir = join(dataDir, 'spool');
      return readdirSync(dir).some((f) => f.endsWith('.spool') && statSync(join(dir, f)).size > 0);
    } catch {
      return false;
    }
  }

  /** Claims a spool file in `<dataDir>/spool` (one of a dead process first, with what it left). */
  static open(dataDir: string, maxBytes: number, first = 0): RecordSpool {
    const dir = join(dataDir, 'spool');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Spools with records whose owner is gone come first (they are written first), then free ones.
    // `--workers` start together: each begins at its own slot, so they do not race for one file.
    const waiting = readdirSync(dir)
      .map((f) => /^records-(\d+)\.spool$/.exec(f))
      .filter((m) => m !== null && statSync(join(dir, m[0])).size > 0)
      .map((m) => Number(m?.[1]));
    const order = [...waiting, ...Array.from({ length: MAX_FILES }, (_, i) => (first + i) % MAX_FILES)];
    for (const n of order) {
      if (n >= MAX_FILES) continue;
      const lock = join(dir, `records-${n}.lock`);
      if (!claim(lock)) continue;
      const file = join(dir, `records-${n}.spool`);
      // Created 0600 from the first byte; opened without O_APPEND, whose writes ignore their position.
      closeSync(openSync(file, 'a', 0o600));
      return new RecordSpool(file, lock, openSync(file, 'r+'), maxBytes);
    }
    throw new Error(`no free spool file in ${dir} (${MAX_FILES} in use)`);
  }

  /** Records waiting. */
  get records(): number {
    return this.#records;
  }

  get empty(): boolean {
    return this.#frames === 0;
  }

  /** Bytes the file holds now (waiting frames, and written ones until the file empties). */
  get bytes(): number {
    return this.#write;
  }

  /** Appends a batch; false (and nothing written) when it would pass the size bound or the disk refuses. */
  append(batch: PackedBatch): boolean {
    const block = encodeBlock(batch);
    const frame = Buffer.allocUnsafe(HEADER + block.length);
    frame.writeUInt32LE(block.length, 0);
    frame.writeUInt32LE(batch.count, 4);
    block.copy(frame, HEADER);
    if (this.#write + frame.length > this.#maxBytes) return false;
    try {
      writeAll(this.#fd, frame, this.#write);
    } catch {
      // ENOSPC, EIO: cut back to the last whole frame so the file stays readable.
      ftruncateSync(this.#fd, this.#write);
      return false;
    }
    this.#write += frame.length;
    this.#records += batch.count;
    this.#frames++;
    return true;
  }

  /** The oldest waiting batch, decoded once; undefined when the spool is empty. Throws on a bad frame. */
  peek(): PackedBatch | undefined {
    if (this.#frames === 0) return undefined;
    if (this.#head === undefined) {
      const header = Buffer.alloc(HEADER);
      readAll(this.#fd, header, this.#read);
      const block = Buffer.alloc(header.readUInt32LE(0));
      readAll(this.#fd, block, this.#read + HEADER);
      this.#head = decodeBlock(block);
    }
    return this.#head;
  }

  /** Drops the oldest batch (it was stored, or cannot be); returns its record count. */
  shift(): number {
    if (this.#frames === 0) return 0;
    const header = Buffer.alloc(HEADER);
    readAll(this.#fd, header, this.#read);
    const count = header.readUInt32LE(4);
    this.#read += HEADER + header.readUInt32LE(0);
    this.#records -= count;
    this.#frames--;
    this.#head = undefined;
    // Emptied: the space comes back at once (new frames start at 0 again).
    if (this.#frames === 0) {
      ftruncateSync(this.#fd, 0);
      this.#read = 0;
      this.#write = 0;
    }
    return count;
  }

  /** Releases the file; what is still waiting stays in it for the next process to write. */
  close(): void {
    const keep = this.#frames > 0;
    closeSync(this.#fd);
    if (!keep) unlinkQuietly(this.file);
    unlinkQuietly(this.#lock);
  }

  /** Counts the frames a previous owner left, and cuts off a last frame a crash cut short. */
  #recover(): void {
    const size = fstatSync(this.#fd).size;
    const header = Buffer.alloc(HEADER);
    let at = 0;
    while (at + HEADER <= size) {
      readAll(this.#fd, header, at);
      const end = at + HEADER + header.readUInt32LE(0);
      if (end > size) break;
      this.#records += header.readUInt32LE(4);
      this.#frames++;
      at = end;
    }
    if (at !== size) ftruncateSync(this.#fd, at);
    this.#write = at;
  }
}

/**
 * Who holds a lock: a pid and the second its process started. The start tells a sibling thread of this
 * process (same pid, same start: alive) from an earlier run that had the same pid (a container restarts
 * its processes at pid 1 again: same pid, other start — gone).
 */
interface Owner {
  pid: number;
  start: number;
}

const SELF: Owner = { pid: process.pid, start: Math.round(Date.now() / 1000 - process.uptime()) };

function holds(owner: Owner | undefined): boolean {
  if (owner === undefined) return false;
  if (owner.pid === SELF.pid) return Math.abs(owner.start - SELF.start) <= 2;
  return alive(owner.pid);
}

/** Takes `lock` for this process: free, or held by a process that no longer runs. */
function claim(lock: string): boolean {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(lock, `${SELF.pid} ${SELF.start}`, { flag: 'wx', mode: 0o600 });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = ownerOf(lock);
    if (holds(owner) || (owner === undefined && justMade(lock))) return false;
    // Gone. Rename, not unlink: of several processes taking over the same stale lock, one rename wins,
    // and a lock someone made fresh in the meantime is put back rather than lost.
    const grave = `${lock}.${SELF.pid}.stale`;
    try {
      renameSync(lock, grave);
    } catch {
      continue;
    }
    const taken = ownerOf(grave);
    if (holds(taken)) {
      try {
        linkSync(grave, lock);
      } catch {
        // someone made a new one meanwhile: theirs stands
      }
      unlinkQuietly(grave);
      return false;
    }
    unlinkQuietly(grave);
  }
  return false;
}

/** A lock without a readable owner, made in the last seconds: its maker is still writing it. */
function justMade(lock: string): boolean {
  try {
    return Date.now() - statSync(lock).mtimeMs < 10_000;
  } catch {
    return false;
  }
}

function ownerOf(lock: string): Owner | undefined {
  try {
    const [pid, start] = readFileSync(lock, 'utf8').trim().split(' ').map(Number);
    return pid !== undefined && Number.isInteger(pid) && pid > 0 ? { pid, start: start ?? 0 } : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function writeAll(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done, position + done);
}

function readAll(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw new Error('spool frame cut short');
    done += n;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
