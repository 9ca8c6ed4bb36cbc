/**
 * The two files behind a durable store: `snapshot` (every database, one frame) and `journal` (a header
 * frame naming the snapshot generation it continues, then one frame per commit).
 *
 * Crash safety rests on two orders:
 * - a commit is appended and fdatasync'd before anyone hears of it (see durable-indexeddb.ts);
 * - a new snapshot (generation g+1) is renamed into place, durably, before the journal is replaced by
 *   an empty one of generation g+1. A crash between the two leaves snapshot g+1 beside journal g; the
 *   loader sees the older generation and drops that journal, whose commits the snapshot already holds.
 *
 * fdatasync, not fsync: it flushes the data and the metadata needed to read it back (the file size
 * after an append) but not timestamps, which nobody reads. On macOS neither reaches the platter
 * (that takes F_FULLFSYNC); a crash of the process is covered there, a power cut may not be.
 */
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { CryptoStoreError } from './crypto-store-error.ts';
import { applyChanges, databaseFromImage, imageOf, JOURNAL_FORMAT } from './database-image.ts';
import type { JournalEntry, SnapshotImage } from './database-image.ts';
import type { FakeIdbInternals, RawDatabase } from './fake-idb-internals.ts';
import { decodeFrames, encodeFrame } from './frames.ts';
import { isCode } from './store-lock.ts';

export interface LoadReport {
  snapshotBytes: number;
  journalBytes: number;
  replayedCommits: number;
  /** Bytes cut from the journal's end: a commit torn by a crash, never acknowledged. */
  droppedTailBytes: number;
  /** The journal predated the snapshot (a crash between writing one and resetting the other). */
  staleJournalDropped: boolean;
}

export class JournalFiles {
  readonly dir: string;
  private journalFd: number;
  private generation: number;
  private journalSize: number;
  private snapshotSize: number;

  private constructor(dir: string, journalFd: number, generation: number, journalSize: number, snapshotSize: number) {
    this.dir = dir;
    this.journalFd = journalFd;
    this.generation = generation;
    this.journalSize = journalSize;
    this.snapshotSize = snapshotSize;
  }

  get journalBytes(): number {
    return this.journalSize;
  }

  get snapshotBytes(): number {
    return this.snapshotSize;
  }

  /** Bytes of commits since the last snapshot (the journal minus its header). */
  get uncompactedBytes(): number {
    return this.journalSize - headerFrame(this.generation).length;
  }

  /** Reads snapshot + journal into fresh raw databases; repairs a torn journal tail in place. */
  static load(dir: string, internals: FakeIdbInternals): { files: JournalFiles; databases: Map<string, RawDatabase>; report: LoadReport } {
    const databases = new Map<string, RawDatabase>();
    const snapshotPath = join(dir, 'snapshot');
    const journalPath = join(dir, 'journal');
    let generation = 0;
    const snapshotBytes = readOrUndefined(snapshotPath);
    if (snapshotBytes !== undefined) {
      const { payloads, validBytes } = decodeFrames(snapshotBytes);
      const payload = payloads[0];
      // A snapshot only ever appears by rename after fsync: a bad one is damage, not a crash.
      if (payload === undefined || validBytes !== snapshotBytes.length) {
        throw new CryptoStoreError('unreadable', `The crypto store snapshot in ${dir} is damaged.`);
      }
      const image = deserialize(payload) as SnapshotImage;
      if (image.format !== JOURNAL_FORMAT) {
        throw new CryptoStoreError('unreadable', `The crypto store in ${dir} has format ${image.format}; this version reads ${JOURNAL_FORMAT}.`);
      }
      generation = image.generation;
      for (const databaseImage of image.databases) databases.set(databaseImage.name, databaseFromImage(internals, databaseImage));
    }

    const report: LoadReport = {
      snapshotBytes: snapshotBytes?.length ?? 0,
      journalBytes: 0,
      replayedCommits: 0,
      droppedTailBytes: 0,
      staleJournalDropped: false,
    };
    const journalBytes = readOrUndefined(journalPath);
    let journalUsable = false;
    if (journalBytes !== undefined) {
      report.journalBytes = journalBytes.length;
      const { payloads, validBytes } = decodeFrames(journalBytes);
      const header = payloads[0] === undefined ? undefined : (deserialize(payloads[0]) as JournalEntry);
      if (header?.kind !== 'header' || header.format !== JOURNAL_FORMAT) {
        // Journals appear by rename with their header fsync'd, so this is not a torn write either.
        throw new CryptoStoreError('unreadable', `The crypto store journal in ${dir} is damaged.`);
      }
      if (header.generation > generation) {
        throw new CryptoStoreError('unreadable', `The crypto store journal in ${dir} is newer than its snapshot; the snapshot is missing or old.`);
      }
      if (header.generation < generation) {
        report.staleJournalDropped = true;
      } else {
        for (let i = 1; i < payloads.length; i += 1) {
          applyEntry(databases, internals, deserialize(payloads[i]!) as JournalEntry);
        }
        report.replayedCommits = payloads.length - 1;
        if (validBytes < journalBytes.length) {
          report.droppedTailBytes = journalBytes.length - validBytes;
          truncateSync(journalPath, validBytes);
        }
        journalUsable = true;
      }
    }
    if (!journalUsable) writeFreshJournal(dir, generation);
    const journalFd = openSync(journalPath, 'a', 0o600);
    // Makes the truncation of a torn tail durable before new frames land behind it.
    if (report.droppedTailBytes > 0) fsyncSync(journalFd);
    const files = new JournalFiles(dir, journalFd, generation, fstatSync(journalFd).size, report.snapshotBytes);
    return { files, databases, report };
  }

  /** Appends one commit and returns once it is on disk. */
  append(entry: JournalEntry): void {
    const frame = encodeFrame(serialize(entry));
    try {
      writeFully(this.journalFd, frame);
      fdatasyncSync(this.journalFd);
    } catch (error) {
      // A half-written frame would end every later replay at this point: cut it off before going on.
      try {
        ftruncateSync(this.journalFd, this.journalSize);
      } catch {
        // The write error below is the one worth reporting.
      }
      throw new CryptoStoreError('write-failed', `The crypto store in ${this.dir} could not save a change.`, { cause: error });
    }
    this.journalSize += frame.length;
  }

  /** The durability point without a write: everything appended so far is on disk once this returns. */
  sync(): void {
    fdatasyncSync(this.journalFd);
  }

  /** Every database as it is now becomes the snapshot; the journal restarts empty. */
  writeSnapshot(databases: Iterable<RawDatabase>): void {
    const next = this.generation + 1;
    const image: SnapshotImage = { format: JOURNAL_FORMAT, generation: next, databases: [...databases].map(imageOf) };
    const frame = encodeFrame(serialize(image));
    writeFileDurably(this.dir, 'snapshot', frame);
    writeFreshJournal(this.dir, next);
    const journalFd = openSync(join(this.dir, 'journal'), 'a', 0o600);
    closeSync(this.journalFd);
    this.journalFd = journalFd;
    this.generation = next;
    this.snapshotSize = frame.length;
    this.journalSize = headerFrame(next).length;
  }

  close(): void {
    if (this.journalFd < 0) return;
    closeSync(this.journalFd);
    this.journalFd = -1;
  }

  static removeFiles(dir: string): void {
    for (const name of ['journal', 'journal.tmp', 'snapshot', 'snapshot.tmp']) rmSync(join(dir, name), { force: true });
    syncDirectory(dir);
  }
}

function applyEntry(databases: Map<string, RawDatabase>, internals: FakeIdbInternals, entry: JournalEntry): void {
  switch (entry.kind) {
    case 'changes': {
      const database = databases.get(entry.database);
      if (database === undefined) {
        throw new CryptoStoreError('unreadable', `The crypto store journal changes database ${entry.database}, which it never created.`);
      }
      applyChanges(database, entry.changes, entry.keyGenerators);
      return;
    }
    case 'database':
      databases.set(entry.image.name, databaseFromImage(internals, entry.image));
      return;
    case 'deleteDatabase':
      databases.delete(entry.database);
      return;
    case 'header':
      throw new CryptoStoreError('unreadable', 'The crypto store journal has a second header.');
    default:
      throw new CryptoStoreError('unreadable', `The crypto store journal holds an unknown entry ${JSON.stringify(entry satisfies never)}.`);
  }
}

function headerFrame(generation: number): Buffer {
  return encodeFrame(serialize({ kind: 'header', format: JOURNAL_FORMAT, generation } satisfies JournalEntry));
}

function writeFreshJournal(dir: string, generation: number): void {
  writeFileDurably(dir, 'journal', headerFrame(generation));
}

/** temp file, fsync, rename, fsync the directory: the name points at the old bytes or the new, whole. */
function writeFileDurably(dir: string, name: string, bytes: Buffer): void {
  const temporaryPath = join(dir, `${name}.tmp`);
  const fd = openSync(temporaryPath, 'w', 0o600);
  try {
    writeFully(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporaryPath, join(dir, name));
  syncDirectory(dir);
}

function writeFully(fd: number, bytes: Buffer): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}

/** A rename is durable once its directory is; Windows cannot open a directory for this and needs no such step. */
function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function readOrUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}
