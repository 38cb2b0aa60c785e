import { Form } from '@remix-run/react';
import type { ConfigSchema } from '@obstack/plugin-api';
import { Alert, Badge, Button, CsrfInput, Field, Select, cx } from './ui';

export interface HealthAnswer {
  status: 'ok' | 'degraded' | 'error';
  message: string;
}

export interface DataSourceFormProps {
  plugin: { id: string; name: string; description?: string | undefined; readable: string[]; writable: string[] };
  schema: ConfigSchema;
  secretFields: string[];
  values: {
    name: string;
    config: Record<string, unknown>;
    query: string[];
    write: string[];
    allowInternalAddresses: boolean;
    timeoutMs: number;
  };
  /** Secret fields that already have a stored value (edit). */
  secretsSet: string[];
  fieldErrors: Record<string, string>;
  formError?: string | undefined;
  test?: HealthAnswer | undefined;
  busyIntent?: string | null | undefined;
  submitLabel: string;
}

export function HealthBadge({ status }: { status: string }) {
  const tone = status === 'ok' || status === 'closed' ? 'green' : status === 'degraded' || status === 'half-open' ? 'amber' : 'red';
  return <Badge tone={tone}>{status}</Badge>;
}

export function TestResult({ test }: { test: HealthAnswer }) {
  return (
    <div data-testid="test-result">
      <Alert tone={test.status === 'ok' ? 'success' : test.status === 'degraded' ? 'warning' : 'error'} title={`Test: ${test.status}`}>
        {test.message}
      </Alert>
    </div>
  );
}

/** The data-source settings form, generated from the plugin's config schema. */
export function DataSourceForm(props: DataSourceFormProps) {
  const { plugin, schema, secretFields, values, secretsSet, fieldErrors, formError, test, busyIntent } = props;
  return (
    <Form method="post" className="space-y-6" noValidate>
      <CsrfInput />
      {formError ? <Alert tone="error">{formError}</Alert> : null}
      <Field label="Name" name="name" defaultValue={values.name} required error={fieldErrors.name} />

      <fieldset className="space-y-4">
        <legend className="mb-2 text-sm font-semibold">{plugin.name} settings</legend>
        {Object.entries(schema.properties).map(([name, prop]) => {
          const isSecret = secretFields.includes(name);
          const fieldName = isSecret ? `secret.${name}` : `config.${name}`;
          const error = fieldErrors[`config.${name}`];
          const required = schema.required?.includes(name);
          const label = `${prop.title}${required ? '' : ' (optional)'}`;
          if (prop.type === 'boolean') {
            return (
              <label key={name} className="flex items-start gap-2 text-sm">
                <input
                  type="checkbox"
                  name={fieldName}
                  defaultChecked={Boolean(values.config[name] ?? prop.default)}
                  className="mt-0.5 h-4 w-4 rounded border-slate-300 text-brand-600"
                />
                <span>
                  <span className="font-medium">{prop.title}</span>
                  {prop.description ? <span className="block text-xs text-slate-500">{prop.description}</span> : null}
                </span>
              </label>
            );
          }
          if (prop.type === 'string' && prop.enum) {
            return (
              <Select key={name} label={label} name={fieldName} defaultValue={String(values.config[name] ?? prop.default ?? '')}>
                {prop.enum.map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </Select>
            );
          }
          const current = values.config[name];
          return (
            <Field
              key={name}
              label={label}
              name={fieldName}
              type={isSecret || (prop.type === 'string' && prop.format === 'password') ? 'password' : prop.type === 'number' || prop.type === 'integer' ? 'number' : 'text'}
              autoComplete="off"
              placeholder={
                isSecret && secretsSet.includes(name)
                  ? '•••••••• (stored; leave empty to keep)'
                  : prop.type === 'string'
                    ? (prop.placeholder ?? '')
                    : ''
              }
              defaultValue={isSecret ? '' : current === undefined ? '' : Array.isArray(current) ? current.join(', ') : String(current)}
              error={error}
              hint={
                prop.description
                  ? `${prop.description}${'default' in prop && prop.default !== undefined && String(prop.default) !== '' ? ` Default: ${String(prop.default)}.` : ''}`
                  : undefined
              }
            />
          );
        })}
      </fieldset>

      <fieldset>
        <legend className="text-sm font-semibold">Signals</legend>
        <p className="mt-1 text-xs text-slate-500">
          Queries for a signal go to every source that answers it; the ingest pipeline writes a signal to every source that
          stores it.
        </p>
        <div className="mt-3">
          <SignalRouting readable={plugin.readable} writable={plugin.writable} query={values.query} write={values.write} />
        </div>
      </fieldset>

      <fieldset className="grid gap-4 sm:grid-cols-2">
        <legend className="mb-2 text-sm font-semibold">Connection</legend>
        <Field
          label="Timeout (ms)"
          name="timeoutMs"
          type="number"
          defaultValue={String(values.timeoutMs)}
          error={fieldErrors.timeoutMs}
          hint="A query that takes longer is cancelled and reported as this source's error."
        />
        <label className="flex items-start gap-2 text-sm sm:mt-7">
          <input
            type="checkbox"
            name="allowInternalAddresses"
            defaultChecked={values.allowInternalAddresses}
            className="mt-0.5 h-4 w-4 rounded border-slate-300 text-brand-600"
          />
          <span>
            <span className="font-medium">Allow internal addresses</span>
            <span className="block text-xs text-slate-500">
              Let this source reach loopback and link-local addresses (off by default so a data source can't be used to probe this
              host or cloud metadata).
            </span>
          </span>
        </label>
      </fieldset>

      {test ? <TestResult test={test} /> : null}

      <div className="flex gap-3">
        <Button type="submit" name="intent" value="save" busy={busyIntent === 'save'}>
          {props.submitLabel}
        </Button>
        <Button type="submit" name="intent" value="test" variant="secondary" busy={busyIntent === 'test'}>
          Test
        </Button>
      </div>
    </Form>
  );
}

export function SignalBadges({ signals, tone }: { signals: string[]; tone: 'brand' | 'neutral' }) {
  if (signals.length === 0) return <span className="text-xs text-slate-400">none</span>;
  return (
    <span className={cx('flex flex-wrap gap-1')}>
      {signals.map((s) => (
        <Badge key={s} tone={tone}>
          {s}
        </Badge>
      ))}
    </span>
  );
}

/**
 * Per signal, whether a data source answers queries and stores ingest: checkboxes named
 * `query` and `write`, disabled where the plugin cannot read or write that signal.
 */
export function SignalRouting({ readable, writable, query, write }: { readable: string[]; writable: string[]; query: string[]; write: string[] }) {
  const signals = [...new Set([...readable, ...writable])];
  return (
    <table className="text-sm">
      <thead className="text-xs uppercase tracking-wide text-slate-500">
        <tr>
          <th className="pr-6 text-left font-medium">Signal</th>
          <th className="pr-6 font-medium">Answers queries</th>
          <th className="font-medium">Stores ingest</th>
        </tr>
      </thead>
      <tbody>
        {signals.map((s) => (
          <tr key={s}>
            <td className="py-1 pr-6 font-medium capitalize">{s}</td>
            <td className="text-center">
              <input
                type="checkbox"
                name="query"
                value={s}
                aria-label={`${s}: answers queries`}
                disabled={!readable.includes(s)}
                defaultChecked={query.includes(s)}
                className="h-4 w-4 rounded border-slate-300 text-brand-600 disabled:opacity-30"
              />
            </td>
            <td className="text-center">
              <input
                type="checkbox"
                name="write"
                value={s}
                aria-label={`${s}: stores ingest`}
                disabled={!writable.includes(s)}
                defaultChecked={write.includes(s)}
                className="h-4 w-4 rounded border-slate-300 text-brand-600 disabled:opacity-30"
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
