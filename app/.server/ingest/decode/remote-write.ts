/**
 * Prometheus remote_write 1.0 (prometheus.io/docs/specs/remote_write_spec): a
 * snappy-compressed protobuf `prometheus.WriteRequest` (prompb/remote.proto and
 * types.proto; tables in schema.ts). `readBody` undoes the snappy; this decodes the
 * protobuf into MetricPoints, one per sample.
 *
 * Conversion rules (remote_write 1.0 carries no types unless metadata is sent):
 *  - `__name__` is the metric name; every other label is kept as a label, unchanged.
 *  - serviceName: the `job` label, else `service_name`, else `service.name`, else unknown_service.
 *  - type: from MetricMetadata when the request has it (matched on the family name, also
 *    after stripping _total/_count/_sum/_bucket/_gcount/_gsum/_info suffixes); COUNTER and
 *    the _count/_sum/_bucket series of HISTOGRAM and SUMMARY families are cumulative
 *    monotonic sums, everything else a gauge. Without metadata, a name ending in _total,
 *    _count, _sum or _bucket is a counter, anything else a gauge.
 *  - timestamps: milliseconds -> nanoseconds.
 *  - Stale markers (the NaN with bits 0x7ff0000000000002, spec: "Stale markers") are
 *    dropped: they end a series in Prometheus' own storage and are not a value to keep.
 *    Any other NaN or ±Inf is a legal sample value and is kept.
 *  - Native histograms (TimeSeries field 4, not part of 1.0) are skipped and counted in a warning.
 *
 * Validation: the spec says receivers MUST answer 400 when a request has invalid samples
 * and MAY ingest the valid ones. We do both: a series with a bad label set is rejected
 * whole, bad samples are rejected one by one, and the message names the series.
 */
import type { MetricPoint } from '@obstack/plugin-api';
import { setAttr, truncationWarning, UNKNOWN_SERVICE } from './build';
import { type DecodeOptions, resolveLimits } from './limits';
import { type Ctx, toIngestError } from './proto-common';
import { type DecodeResult, Report, result } from './report';
import { PROM_LABEL, PROM_METADATA, PROM_SAMPLE, PROM_TIME_SERIES, PROM_WRITE_REQUEST } from './schema';
import { ProtoReader, WireError } from './wire';

/** prompb MetricMetadata.MetricType. */
const COUNTER = 1;
const GAUGE = 2;
const HISTOGRAM = 3;
const GAUGEHISTOGRAM = 4;
const SUMMARY = 5;

interface Meta {
  type: number;
  help: string | undefined;
  unit: string | undefined;
}

export interface RemoteWriteResult extends DecodeResult<MetricPoint> {
  /** Series with at least one problem (`rejected` counts these too). Non-zero means: answer 400. */
  rejectedSeries: number;
}

/** Decodes an (already snappy-decompressed) remote_write WriteRequest. Throws IngestError (400/413) for an undecodable body. */
export function decodeRemoteWrite(body: Uint8Array, opts?: DecodeOptions): RemoteWriteResult {
  const limits = resolveLimits(opts?.limits);
  const report = new Report(limits, 'series', 'samples');
  const c: Ctx = { r: new ProtoReader(body, limits.maxMessageDepth), limits, report };
  const r = c.r;
  const out: MetricPoint[] = [];
  let histograms = 0;
  try {
    const end = body.length;
    // Pass 1: metadata (field 3) may come after the series it describes, and series are
    // turned into points as they are read, so collect it first. Skipping field 1 is a
    // length jump per series, nothing more.
    const meta = new Map<string, Meta>();
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === 26) {
        // metadata = 3
        const e = r.len(end);
        if (meta.size >= limits.maxItems) r.pos = e;
        else metadata(c, e, meta);
      } else r.skip(tag, end, PROM_WRITE_REQUEST);
    }
    // Pass 2: the series.
    r.pos = 0;
    const slot: SampleSlot = { value: 0, time: 0 };
    let i = 0;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === 10) {
        // timeseries = 1
        const e = r.len(end);
        try {
          histograms += timeSeries(c, e, meta, out, slot);
        } catch (err) {
          throw WireError.within(err, `timeseries[${i}]`);
        }
        i++;
      } else r.skip(tag, end, PROM_WRITE_REQUEST);
    }
  } catch (e) {
    throw toIngestError(e);
  }
  if (histograms > 0) report.warn('native histogram sample ignored (remote_write 1.0 carries float samples only)', histograms);
  if (r.truncated > 0) report.warn(truncationWarning(limits), r.truncated);
  return { ...result(out, report), rejectedSeries: report.rejected };
}

function metadata(c: Ctx, end: number, into: Map<string, Meta>): void {
  const r = c.r;
  r.enter();
  let type = 0;
  let family = '';
  let help: string | undefined;
  let unit: string | undefined;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 8) type = r.int32(end); // type = 1
    else if (tag === 18) family = r.string(end, c.limits.maxNameBytes); // metric_family_name = 2
    else if (tag === 34) help = r.string(end, c.limits.maxAttributeValueBytes) || undefined; // help = 4
    else if (tag === 42) unit = r.string(end, c.limits.maxNameBytes) || undefined; // unit = 5
    else r.skip(tag, end, PROM_METADATA);
  }
  r.leave();
  if (family !== '') into.set(family, { type, help, unit });
}

/** Decodes one TimeSeries into points; returns how many native histogram samples it skipped. */
function timeSeries(c: Ctx, end: number, meta: Map<string, Meta>, out: MetricPoint[], slot: SampleSlot): number {
  const r = c.r;
  const lim = c.limits;
  r.enter();
  const labels: Record<string, string> = {};
  let nLabels = 0;
  let name = '';
  let labelProblem: string | undefined;
  const values: number[] = [];
  const times: number[] = [];
  let stale = 0;
  let histograms = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 10) {
      // labels = 1
      const e = r.len(end);
      if (labelProblem !== undefined) {
        r.pos = e;
        continue;
      }
      labelProblem = label(c, e, labels, ++nLabels);
      if (labels.__name__ !== undefined) name = labels.__name__;
    } else if (tag === 18) {
      // samples = 2
      const e = r.len(end);
      c.report.countItem();
      if (sample(c, e, slot)) {
        values.push(slot.value);
        times.push(slot.time);
      } else stale++;
    } else if (tag === 34) {
      // histograms = 4: native histograms are remote_write 2.0 territory; skip, count.
      r.pos = r.len(end);
      histograms++;
    } else r.skip(tag, end, PROM_TIME_SERIES); // exemplars = 3
  }
  r.leave();
  if (labelProblem === undefined && name === '') labelProblem = 'has no __name__ label';
  if (labelProblem !== undefined) {
    if (values.length + stale + histograms > 0 || nLabels > 0) c.report.reject(seriesName(name, labels), labelProblem);
    return histograms;
  }
  delete labels.__name__;
  const serviceName = labels.job || labels.service_name || labels['service.name'] || UNKNOWN_SERVICE;
  const t = typeOf(name, meta);
  const minMs = Number(lim.minTimeUnixNano / 1_000_000n);
  const maxMs = Number(lim.maxTimeUnixNano / 1_000_000n);
  let bad = 0;
  let firstBad: string | undefined;
  for (let i = 0; i < values.length; i++) {
    const ms = times[i]!;
    if (ms < minMs || ms > maxMs) {
      bad++;
      firstBad ??= `timestamp ${ms} ms is ${ms < minMs ? `before ${isoDay(minMs)} (is it in seconds?)` : `after ${isoDay(maxMs)}`}`;
      continue;
    }
    const ns = BigInt(ms) * 1_000_000n;
    out.push({
      name,
      type: t.type,
      unit: t.meta?.unit,
      description: t.meta?.help,
      temporality: t.type === 'sum' ? 'cumulative' : undefined,
      monotonic: t.type === 'sum' ? true : undefined,
      timeUnixNano: ns,
      startTimeUnixNano: undefined,
      serviceName,
      // Points of one series share its labels object; consumers treat points as read-only.
      labels,
      value: values[i],
      histogram: undefined,
      exponentialHistogram: undefined,
      summary: undefined,
    });
  }
  if (bad > 0) c.report.reject(seriesName(name, labels), `${bad} of ${values.length} samples rejected: ${firstBad}`);
  return histograms;
}

/** Reads one Label into `labels`; returns why the series' label set is invalid, if it is. */
function label(c: Ctx, end: number, labels: Record<string, string>, n: number): string | undefined {
  const r = c.r;
  const lim = c.limits;
  r.enter();
  let name = '';
  let value = '';
  let tooLong: string | undefined;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 10 || tag === 18) {
      // name = 1, value = 2: a label is identity, so over-long ones reject the series instead of being cut
      const e = r.len(end);
      const max = tag === 10 ? lim.maxAttributeKeyBytes : lim.maxAttributeValueBytes;
      if (e - r.pos > max) {
        tooLong = `has a label ${tag === 10 ? 'name' : 'value'} longer than ${max} bytes`;
        r.pos = e;
      } else if (tag === 10) name = r.text(e);
      else value = r.text(e);
    } else r.skip(tag, end, PROM_LABEL);
  }
  r.leave();
  if (tooLong) return tooLong;
  if (n > lim.maxLabels) return `has more than ${lim.maxLabels} labels`;
  if (name === '') return 'has a label with an empty name';
  if (Object.hasOwn(labels, name)) return `repeats label ${JSON.stringify(name)}`;
  // Prometheus treats an empty label value as an absent label; senders MUST NOT send them.
  if (value !== '') setAttr(labels, name, value);
  return undefined;
}

/** The last sample read: one per request, so the hot loop allocates nothing per sample. */
interface SampleSlot {
  value: number;
  time: number;
}

/** Reads one Sample into `slot`; false for a stale marker. */
function sample(c: Ctx, end: number, slot: SampleSlot): boolean {
  const r = c.r;
  let stale = false;
  let value = 0;
  let time = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 9) {
      // value = 1 (double); check the stale-marker bit pattern before it becomes a canonical NaN
      const at = r.pos;
      value = r.double(end);
      stale = r.view.getUint32(at, true) === 0x00000002 && r.view.getUint32(at + 4, true) === 0x7ff00000;
    } else if (tag === 16) time = r.int64(end); // timestamp = 2 (ms)
    else r.skip(tag, end, PROM_SAMPLE);
  }
  slot.value = value;
  slot.time = time;
  return !stale;
}

const COUNTER_SUFFIXES = ['_total', '_count', '_sum', '_bucket'];
const FAMILY_SUFFIXES = ['_total', '_count', '_sum', '_bucket', '_gcount', '_gsum', '_info'];

function typeOf(name: string, meta: Map<string, Meta>): { type: 'gauge' | 'sum'; meta: Meta | undefined } {
  let m = meta.get(name);
  let suffix = '';
  if (!m) {
    for (const s of FAMILY_SUFFIXES) {
      if (name.endsWith(s)) {
        m = meta.get(name.slice(0, -s.length));
        if (m) {
          suffix = s;
          break;
        }
      }
    }
  }
  if (!m || m.type === 0) {
    return { type: COUNTER_SUFFIXES.some((s) => name.endsWith(s)) ? 'sum' : 'gauge', meta: m };
  }
  switch (m.type) {
    case COUNTER:
      return { type: 'sum', meta: m };
    case HISTOGRAM:
    case SUMMARY:
      // The _bucket/_count/_sum series of a histogram or summary are counters; the
      // quantile series of a summary (the family name itself) is a gauge.
      return { type: suffix === '_bucket' || suffix === '_count' || suffix === '_sum' ? 'sum' : 'gauge', meta: m };
    case GAUGE:
    case GAUGEHISTOGRAM:
    default:
      return { type: 'gauge', meta: m };
  }
}

/** `series {__name__="up", job="api", …}` with the first few labels, values cut, for messages. */
function seriesName(name: string, labels: Record<string, string>): string {
  const all: Array<[string, string]> = Object.entries(labels).filter(([k]) => k !== '__name__');
  all.sort(([a], [b]) => (a < b ? -1 : 1));
  if (name !== '') all.unshift(['__name__', name]);
  const shown = all.slice(0, 4).map(([k, v]) => `${k}=${JSON.stringify(v.length > 64 ? v.slice(0, 64) + '…' : v)}`);
  if (all.length > 4) shown.push('…');
  return `series {${shown.join(', ')}}`;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
