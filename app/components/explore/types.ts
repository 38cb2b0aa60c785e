import type { LogRecord, Series, Span } from '@obstack/plugin-api';

/** What the loaders send: the model with bigint nanoseconds as decimal strings (see jsonSafe). */
export type JsonOf<T> = T extends bigint
  ? string
  : T extends Array<infer U>
    ? Array<JsonOf<U>>
    : T extends object
      ? { [K in keyof T]: JsonOf<T[K]> }
      : T;

export type JsonSpan = JsonOf<Span>;
export type JsonLogRecord = JsonOf<LogRecord>;
export type JsonSeries = Series;
