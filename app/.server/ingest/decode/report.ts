import { tooLarge } from './errors';
import { type DecodeLimits } from './limits';

/** How many individual problems a message names before it says "and N more". */
const MAX_NAMED_PROBLEMS = 5;

/**
 * Collects what happened to the items of one request: rejections (with where and why,
 * for the first few) and warnings (counted by kind). Turned into the partial-success
 * `error_message`, the remote_write 400 body or the Faro answer.
 *
 * Strings for a rejection are only built when a rejection happens, so the happy path
 * costs two integer increments per item.
 */
export class Report {
  rejected = 0;
  /** Items seen, accepted or not; bounded by limits.maxItems. */
  items = 0;
  private readonly problems: string[] = [];
  private unnamed = 0;
  private readonly warnings = new Map<string, number>();

  constructor(
    readonly limits: DecodeLimits,
    /** Plural noun of what gets rejected, for messages: "spans", "log records", "data points", "series". */
    readonly noun: string,
    /** Plural noun of what maxItems counts, when it differs (remote_write rejects series but counts samples). */
    readonly itemNoun: string = noun,
  ) {}

  /** Counts one more item and fails the request once there are more than the limit allows. */
  countItem(n = 1): void {
    this.items += n;
    if (this.items > this.limits.maxItems) {
      throw tooLarge('too_many_items', `the request carries more than ${this.limits.maxItems} ${this.itemNoun}; send smaller batches`);
    }
  }

  reject(where: string, why: string, count = 1): void {
    this.rejected += count;
    if (this.problems.length < MAX_NAMED_PROBLEMS) this.problems.push(`${where}: ${why}`);
    else this.unnamed++;
  }

  warn(what: string, n = 1): void {
    this.warnings.set(what, (this.warnings.get(what) ?? 0) + n);
  }

  get hasWarnings(): boolean {
    return this.warnings.size > 0;
  }

  /** Problems named so far (for tests and logs). */
  get named(): readonly string[] {
    return this.problems;
  }

  /**
   * "3 spans rejected: resourceSpans[0]…spans[2]: trace id is 8 bytes, want 16; …; and 1 more.
   *  Warnings: 4× attribute value truncated to 16384 bytes."  Undefined when there is nothing to say.
   */
  message(): string | undefined {
    const parts: string[] = [];
    if (this.rejected > 0) {
      let s = `${this.rejected} ${this.rejected === 1 ? singular(this.noun) : this.noun} rejected: ${this.problems.join('; ')}`;
      if (this.unnamed > 0) s += `; and ${this.unnamed} more`;
      parts.push(s);
    }
    if (this.warnings.size > 0) {
      const w = [...this.warnings].map(([what, n]) => (n === 1 ? what : `${n}× ${what}`));
      parts.push(`Warnings: ${w.join('; ')}`);
    }
    return parts.length ? parts.join('. ') : undefined;
  }
}

function singular(noun: string): string {
  if (noun === 'series') return noun;
  return noun.endsWith('s') ? noun.slice(0, -1) : noun;
}

/** What every decoder returns: the accepted items in the normalized model, and what happened to the rest. */
export interface DecodeResult<T> {
  items: T[];
  /** Items rejected as invalid; the partial-success rejected_* count. */
  rejected: number;
  /** Human message naming the first problems and the warnings; undefined when all is well. */
  message: string | undefined;
}

export function result<T>(items: T[], report: Report): DecodeResult<T> {
  return { items, rejected: report.rejected, message: report.message() };
}
