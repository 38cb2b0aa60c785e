import { Link, useLocation, useNavigation } from '@remix-run/react';
import type { ReactNode } from 'react';
import { Alert, Card, CodeBlock, EmptyState, PageHeader, Spinner, cx } from '../ui';
import { AlertIcon } from './icons';
import { TimeRangePicker, type ResolvedRange } from './time-range-picker';

/** The header every explore view shares: title, description, the time range and refresh. */
export function ExploreHeader({ title, description, range, extra }: { title: string; description?: ReactNode; range: ResolvedRange; extra?: ReactNode }) {
  return (
    <PageHeader
      title={title}
      description={description}
      actions={
        <div className="flex flex-wrap items-center gap-2">
          {extra}
          <TimeRangePicker range={range} />
        </div>
      }
    />
  );
}

/** True while this page's loader runs again (a filter, range or refresh), not while leaving it. */
export function useReloading(): boolean {
  const navigation = useNavigation();
  const location = useLocation();
  return navigation.state !== 'idle' && navigation.location?.pathname === location.pathname;
}

/** Dims stale results while new ones load, with a spinner, so the page never looks frozen. */
export function Reloading({ children, className }: { children: ReactNode; className?: string }) {
  const busy = useReloading();
  return (
    <div className={cx('relative', className)} aria-busy={busy}>
      <div className={cx('transition-opacity', busy ? 'pointer-events-none opacity-50' : '')}>{children}</div>
      {busy ? (
        <div className="absolute inset-x-0 top-6 flex justify-center" role="status">
          <span className="flex items-center gap-2 rounded-full bg-white px-3 py-1.5 text-xs font-medium text-slate-600 shadow ring-1 ring-slate-200 dark:bg-slate-800 dark:text-slate-300 dark:ring-slate-700">
            <Spinner className="text-brand-500" /> Loading…
          </span>
        </div>
      ) : null}
    </div>
  );
}

export interface SourceError {
  dataSourceId: string;
  dataSourceName: string;
  source: string;
  message: string;
  retryable: boolean;
}

/** Per-data-source failures, shown beside whatever the other sources returned. */
export function SourceErrors({ errors }: { errors: SourceError[] }) {
  if (errors.length === 0) return null;
  return (
    <div className="mb-4 space-y-2" data-testid="source-errors">
      {errors.map((e) => (
        <Alert key={`${e.dataSourceId}:${e.message}`} tone="warning" title={`${e.dataSourceName} did not answer`}>
          {e.message}
          {e.retryable ? ' It may work if you refresh.' : ''} Results below come from the other data sources and may be incomplete.
        </Alert>
      ))}
    </div>
  );
}

/** A parameter the API refused: the page stays usable so the user can fix it. */
export function ParamError({ message }: { message: string }) {
  return (
    <div className="mb-4">
      <Alert tone="error" title="The query could not run">
        {message}
      </Alert>
    </div>
  );
}

/** Warnings a backend attached to an answer (results capped, a slow path taken...). */
export function Warnings({ warnings }: { warnings?: string[] | undefined }) {
  if (!warnings?.length) return null;
  return (
    <div className="mb-4">
      <Alert tone="info">
        <ul className="list-inside list-disc">
          {warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      </Alert>
    </div>
  );
}

const SIGNAL_TEXT = {
  traces: { noun: 'traces', env: 'OTEL_TRACES_EXPORTER=otlp', path: '/v1/traces' },
  logs: { noun: 'logs', env: 'OTEL_LOGS_EXPORTER=otlp', path: '/v1/logs' },
  metrics: { noun: 'metrics', env: 'OTEL_METRICS_EXPORTER=otlp', path: '/v1/metrics' },
  services: { noun: 'services', env: 'OTEL_TRACES_EXPORTER=otlp', path: '/v1/traces' },
} as const;

/** A minimal OTLP/JSON request per signal, so a user can see data arrive before wiring an SDK. */
function curlExample(signal: keyof typeof SIGNAL_TEXT, endpoint: string): string {
  const now = `"'$(date +%s)000000000'"`;
  const resource = `"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "my-service"}}]}`;
  const head = `curl -X POST ${endpoint}${SIGNAL_TEXT[signal].path} \\\n  -H "Authorization: Bearer <your key>" \\\n  -H "Content-Type: application/json" \\\n  -d '`;
  if (signal === 'logs') {
    return `${head}{"resourceLogs": [{\n    ${resource},\n    "scopeLogs": [{"logRecords": [{\n      "timeUnixNano": ${now}, "severityNumber": 9, "severityText": "INFO",\n      "body": {"stringValue": "hello from curl"}\n    }]}]\n  }]}'`;
  }
  if (signal === 'metrics') {
    return `${head}{"resourceMetrics": [{\n    ${resource},\n    "scopeMetrics": [{"metrics": [{\n      "name": "hello.gauge",\n      "gauge": {"dataPoints": [{"timeUnixNano": ${now}, "asDouble": 42}]}\n    }]}]\n  }]}'`;
  }
  return `${head}{"resourceSpans": [{\n    ${resource},\n    "scopeSpans": [{"spans": [{\n      "traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174",\n      "name": "hello", "kind": 2,\n      "startTimeUnixNano": ${now}, "endTimeUnixNano": "'$(date +%s)050000000'"\n    }]}]\n  }]}'`;
}

/**
 * The tenant has no telemetry at all: say how to send some, with the endpoint and a
 * placeholder for the key (keys are never shown again after creation).
 */
export function NoTelemetry({ signal, endpoint, canManageKeys }: { signal: keyof typeof SIGNAL_TEXT; endpoint: string; canManageKeys: boolean }) {
  const t = SIGNAL_TEXT[signal];
  return (
    <Card className="mx-auto max-w-3xl" title={`No ${t.noun} yet`} description="This tenant has not received any telemetry. Send your first data and it shows up here within seconds.">
      <div data-testid="no-telemetry">
        <ol className="space-y-5 text-sm">
          <li>
            <p className="font-medium">1. Get an API key with the ingest scope</p>
            <p className="mt-1 text-slate-500 dark:text-slate-400">
              {canManageKeys ? (
                <>
                  Create one in{' '}
                  <Link to="/settings/api-keys" className="font-medium text-brand-600 hover:underline dark:text-brand-400">
                    Settings → API keys
                  </Link>
                  . The key is shown once; paste it where the snippets say <code className="font-mono text-xs">&lt;your key&gt;</code>.
                </>
              ) : (
                'Ask an admin of this tenant for an ingest key.'
              )}
            </p>
          </li>
          <li>
            <p className="font-medium">2. Point your OpenTelemetry SDK or Collector at Obstack</p>
            <div className="mt-2">
              <CodeBlock copy>{`export OTEL_EXPORTER_OTLP_ENDPOINT=${endpoint}\nexport OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <your key>"\nexport OTEL_SERVICE_NAME=my-service\nexport ${t.env}`}</CodeBlock>
            </div>
          </li>
          <li>
            <p className="font-medium">3. Or try it now with curl</p>
            <div className="mt-2">
              <CodeBlock copy>{curlExample(signal, endpoint)}</CodeBlock>
            </div>
          </li>
        </ol>
      </div>
    </Card>
  );
}

/** Data exists, just not for this query. */
export function NoResults({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div data-testid="no-results">
      <EmptyState title={title} icon={<AlertIcon width={28} height={28} />}>
        {children}
      </EmptyState>
    </div>
  );
}

/** A headline figure: label, value and an optional hint under it. */
export function Stat({ label, value, hint, tone = 'normal' }: { label: string; value: string; hint?: string | undefined; tone?: 'normal' | 'bad' }) {
  return (
    <div className="rounded-xl bg-white px-5 py-4 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
      <p className="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">{label}</p>
      <p className={cx('mt-1 text-2xl font-semibold tabular-nums', tone === 'bad' ? 'text-red-600 dark:text-red-400' : '')}>{value}</p>
      {hint ? <p className="mt-0.5 truncate text-xs text-slate-500 dark:text-slate-400">{hint}</p> : null}
    </div>
  );
}
