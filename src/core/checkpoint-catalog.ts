/**
 * What a shared checkpoint is tagged with, which one a reader may start from, and which ones the checkpointer
 * keeps (docs/architecture.md#checkpoints). Pure: the object store's listing comes in as names and metadata.
 */

export interface CheckpointTag {
  name: string;
  /** The last stream sequence folded into it. */
  seq: number;
  /** LEDGER_SNAPSHOT_VERSION of the code that wrote it. */
  viewsVersion: number;
  /** Creation time of WAREHOUSE_EVENTS as the stream info reports it (a recreated stream has another). */
  streamCreated: string;
  /** Newest event time folded into it: which day it belongs to, for the daily ones kept. */
  maxEventMs: number;
  /** The one warehouse whose subjects it folded; absent for the whole chain's. */
  warehouse?: string;
}

/** Metadata keys of a checkpoint object. */
const META = {
  seq: 'stream-seq',
  viewsVersion: 'views-version',
  streamCreated: 'stream-created',
  maxEventMs: 'newest-event-ms',
  warehouse: 'warehouse',
} as const;

const DAY_MS = 24 * 60 * 60_000;
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-01 was a Thursday: weeks counted from this offset start on Mondays, UTC. */
const MONDAY_OFFSET_MS = 4 * DAY_MS;

/** The UTC week (Monday to Sunday) an event time falls in, as a number that grows by one a week. */
export function weekOf(eventMs: number): number {
  return Math.floor((eventMs - MONDAY_OFFSET_MS) / WEEK_MS);
}

/** Sorts by name in sequence order within one views version, for people listing the bucket. */
export function checkpointName(viewsVersion: number, seq: number): string {
  return `ledger/v${viewsVersion}/${String(seq).padStart(16, '0')}`;
}

/**
 * Where one warehouse's checkpoints are: its newest (`latest`, replaced at every write) and one at the end of
 * each week of event time, by the week's number (weekOf). Found by name, not by listing the store: a chain's
 * fifty warehouses keep some 2,700 of them (docs/architecture.md#one-warehouse-or-the-chain).
 */
export function warehouseCheckpointName(
  warehouse: string,
  viewsVersion: number,
  which: 'latest' | number,
): string {
  return `warehouse/${warehouse}/v${viewsVersion}/${which === 'latest' ? 'latest' : `week-${which}`}`;
}

export function checkpointMetadata(tag: Omit<CheckpointTag, 'name'>): Record<string, string> {
  return {
    [META.seq]: String(tag.seq),
    [META.viewsVersion]: String(tag.viewsVersion),
    [META.streamCreated]: tag.streamCreated,
    [META.maxEventMs]: String(tag.maxEventMs),
    ...(tag.warehouse === undefined ? {} : { [META.warehouse]: tag.warehouse }),
  };
}

/** The tag of a listed object, or null when it is not a checkpoint this code can read the tags of. */
export function parseCheckpointTag(
  name: string,
  metadata: Readonly<Record<string, string>> | undefined,
): CheckpointTag | null {
  if (!metadata) return null;
  const seq = wholeNumber(metadata[META.seq]);
  const viewsVersion = wholeNumber(metadata[META.viewsVersion]);
  const maxEventMs = Number(metadata[META.maxEventMs]);
  const streamCreated = metadata[META.streamCreated];
  if (seq === null || viewsVersion === null || typeof streamCreated !== 'string' || streamCreated === '') {
    return null;
  }
  const warehouse = metadata[META.warehouse];
  return {
    name,
    seq,
    viewsVersion,
    streamCreated,
    maxEventMs: Number.isFinite(maxEventMs) ? maxEventMs : 0,
    ...(warehouse === undefined || warehouse === '' ? {} : { warehouse }),
  };
}

/** One of the chain's checkpoints: of no one warehouse, and not the warehouse index. */
export function isChainCheckpoint(tag: CheckpointTag): boolean {
  return tag.warehouse === undefined && tag.name.startsWith('ledger/');
}

/** Whether a reader of `now`'s stream and views version may start from it: of both, and not ahead. */
export function usableCheckpoint(tag: CheckpointTag, now: StreamNow): boolean {
  return (
    tag.streamCreated === now.streamCreated && tag.viewsVersion === now.viewsVersion && tag.seq <= now.lastSeq
  );
}

function weekNumberOfName(name: string): number | null {
  const match = /\/week-(\d{1,9})$/.exec(name);
  return match ? Number(match[1]) : null;
}

function wholeNumber(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,16}$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

export interface StreamNow {
  viewsVersion: number;
  streamCreated: string;
  lastSeq: number;
}

export interface CheckpointChoice {
  /** The newest checkpoint a reader may start from, or null. */
  use: CheckpointTag | null;
  /** Why the others were passed over, one line each kind, for the notice; empty when there is nothing to say. */
  ignored: string[];
}

/**
 * The chain's checkpoint to rebuild a past moment from: the newest of this views version and this stream, not
 * ahead of `now.lastSeq`, that holds nothing that happened after `atMs`. Null when none does.
 */
export function checkpointBefore(
  tags: readonly CheckpointTag[],
  now: StreamNow,
  atMs: number,
): CheckpointTag | null {
  let found: CheckpointTag | null = null;
  for (const tag of tags) {
    if (!isChainCheckpoint(tag) || !usableCheckpoint(tag, now) || tag.maxEventMs > atMs) continue;
    if (!found || tag.seq > found.seq) found = tag;
  }
  return found;
}

/** The chain's newest checkpoint of this views version and this stream, not ahead of the stream. */
export function chooseCheckpoint(tags: readonly CheckpointTag[], now: StreamNow): CheckpointChoice {
  let use: CheckpointTag | null = null;
  let otherVersion = 0;
  let otherStream = 0;
  let ahead = 0;
  const versions = new Set<number>();
  for (const tag of tags) {
    if (!isChainCheckpoint(tag)) continue;
    if (tag.streamCreated !== now.streamCreated) otherStream++;
    else if (tag.viewsVersion !== now.viewsVersion) {
      otherVersion++;
      versions.add(tag.viewsVersion);
    } else if (tag.seq > now.lastSeq) ahead++;
    else if (!use || tag.seq > use.seq) use = tag;
  }
  const ignored: string[] = [];
  if (otherStream > 0) ignored.push(`${otherStream} of a stream that has been recreated since`);
  if (otherVersion > 0) {
    ignored.push(
      `${otherVersion} written for views version ${[...versions].sort((a, b) => a - b).join(', ')} ` +
        `(this is version ${now.viewsVersion})`,
    );
  }
  if (ahead > 0) ignored.push(`${ahead} ahead of the stream (rewound?)`);
  return { use, ignored };
}

export interface RetentionPolicy {
  /** The newest this many of the current stream and version are kept. */
  keepLatest: number;
  /** Besides, the newest checkpoint of each of the last this many days (of event time)… */
  keepDays: number;
  /** …and of each of the last this many weeks, for time travel over the history. */
  keepWeeks: number;
  viewsVersion: number;
  streamCreated: string;
}

/**
 * Names to delete: anything of a recreated stream (nobody can use it), anything of an older views version
 * (a newer checkpointer has replaced it; a newer version's are left alone, in case this one is the older
 * during an upgrade), and of the chain's current ones all but the latest few, one per recent day and one per
 * week of the history kept for time travel. A warehouse's latest and the warehouse index are replaced, not
 * deleted; a warehouse's weekly ones go when their week is as old as the chain's oldest kept.
 */
export function checkpointsToDelete(tags: readonly CheckpointTag[], policy: RetentionPolicy): string[] {
  const doomed: string[] = [];
  const current: CheckpointTag[] = [];
  const warehouses: CheckpointTag[] = [];
  for (const tag of tags) {
    if (tag.streamCreated !== policy.streamCreated || tag.viewsVersion < policy.viewsVersion)
      doomed.push(tag.name);
    else if (tag.viewsVersion === policy.viewsVersion && isChainCheckpoint(tag)) current.push(tag);
    else if (tag.viewsVersion === policy.viewsVersion && tag.warehouse !== undefined) warehouses.push(tag);
  }
  current.sort((a, b) => b.seq - a.seq);
  const keep = new Set(current.slice(0, policy.keepLatest).map((t) => t.name));
  const newestMs = current.reduce((max, t) => Math.max(max, t.maxEventMs), Number.NEGATIVE_INFINITY);
  const keepNewestOfEach = (period: (ms: number) => number, within: number) => {
    const seen = new Set<number>();
    for (const tag of current) {
      const key = period(tag.maxEventMs);
      if (period(newestMs) - key >= within || seen.has(key)) continue;
      seen.add(key);
      keep.add(tag.name);
    }
  };
  keepNewestOfEach((ms) => Math.floor(ms / DAY_MS), policy.keepDays);
  keepNewestOfEach(weekOf, policy.keepWeeks);
  for (const tag of current) if (!keep.has(tag.name)) doomed.push(tag.name);
  for (const tag of warehouses) {
    const week = weekNumberOfName(tag.name);
    if (week !== null && weekOf(newestMs) - week >= policy.keepWeeks) doomed.push(tag.name);
  }
  return doomed;
}

/**
 * Where a fold catching up with the history cuts its batch to write a checkpoint, so that time travel finds one
 * at the end of every week: the indexes of the events that take the newest event time so far (starting from
 * `newestBeforeMs`) into a later week. The checkpoint written before such an event holds nothing of its week.
 */
export function weekCuts(eventTimes: readonly number[], newestBeforeMs: number): number[] {
  const cuts: number[] = [];
  let newest = newestBeforeMs;
  eventTimes.forEach((at, index) => {
    if (at <= newest) return;
    if (Number.isFinite(newest) && weekOf(at) > weekOf(newest)) cuts.push(index);
    newest = at;
  });
  return cuts;
}
