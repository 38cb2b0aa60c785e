import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { audit } from '~/.server/audit';
import { readForm, requireRole } from '~/.server/auth';
import { AppError } from '~/.server/errors';
import { formFailure } from '~/.server/forms';
import { ingestSettingsSchema } from '~/.server/ingest/settings';
import { Alert, Badge, Button, Card, CodeBlock, CsrfInput, EmptyState, Field, PageHeader, RelativeTime } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'Ingest · Obstack' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const p = await requireRole(request, context, 'admin');
  const { ingestSettings, bus, config } = context.services;
  const [settings, health, deadLetters] = await Promise.all([
    ingestSettings.get(p.tenant.id),
    bus.health(),
    bus.deadLetters({ tenantId: p.tenant.id, limit: 50 }),
  ]);
  return { now: Date.now(), settings, bus: health, deadLetters, endpoint: config.publicUrl, storeRetentionDays: config.storeRetentionDays };
}

const lines = (v: FormDataEntryValue | null) =>
  String(v ?? '')
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

const originSchema = z
  .string()
  .refine((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o), { error: 'Each origin must be * or scheme://host[:port], like https://shop.example.com' });

export async function action({ request, context }: ActionFunctionArgs) {
  const p = await requireRole(request, context, 'admin');
  const { ingestSettings, bus, db, config } = context.services;
  const actor = `user:${p.user.id}`;
  try {
    const form = await readForm(request, context);
    if (form.get('intent') === 'retry') {
      const id = String(form.get('id') ?? '');
      const mine = (await bus.deadLetters({ tenantId: p.tenant.id, limit: 1000 })).some((d) => d.id === id);
      // Only this tenant's dead letters can be retried from here.
      if (!mine || !(await bus.retryDeadLetter(id))) throw new AppError(404, 'not_found', 'That dead letter is gone');
      await audit(db, { actor, tenantId: p.tenant.id, action: 'ingest.dead_letter_retried', target: id });
      return { ok: true as const, retried: id };
    }
    const origins = lines(form.get('allowedOrigins'));
    for (const o of origins) {
      const r = originSchema.safeParse(o);
      if (!r.success) throw new AppError(400, 'invalid', `${r.error.issues[0]?.message} (got "${o}")`, 'allowedOrigins');
    }
    const rps = Number(form.get('rumRequestsPerSecond'));
    const retention = String(form.get('retentionDays') ?? '').trim();
    const retentionDays = retention === '' ? null : Number(retention);
    if (retentionDays !== null && !(Number.isInteger(retentionDays) && retentionDays >= 1 && retentionDays <= config.storeRetentionDays)) {
      throw new AppError(
        400,
        'invalid',
        `Retention must be a whole number of days from 1 to ${config.storeRetentionDays} (what this server keeps), or empty for ${config.storeRetentionDays}`,
        'retentionDays',
      );
    }
    const parsed = ingestSettingsSchema.safeParse({
      retentionDays,
      allowedOrigins: origins.length ? origins : ['*'],
      rumRequestsPerSecond: rps,
      pii: {
        emails: form.get('piiEmails') === 'on',
        cardNumbers: form.get('piiCards') === 'on',
        keys: lines(form.get('piiKeys')),
      },
    });
    if (!parsed.success) {
      throw new AppError(400, 'invalid', 'Browser requests per second must be a whole number from 1 to 100000', 'rumRequestsPerSecond');
    }
    await ingestSettings.save(p.tenant.id, parsed.data);
    await audit(db, { actor, tenantId: p.tenant.id, action: 'ingest.settings_changed', details: { allowedOrigins: parsed.data.allowedOrigins, retentionDays: parsed.data.retentionDays } });
    return { ok: true as const, saved: true };
  } catch (e) {
    return formFailure(e);
  }
}

export default function IngestSettings() {
  const { settings, bus, deadLetters, endpoint, now, storeRetentionDays } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const busy = nav.state === 'submitting' ? nav.formData?.get('intent') : null;
  const failure = result && !result.ok ? result : undefined;
  return (
    <>
      <PageHeader title="Ingest" description="Where telemetry comes in, which sites may send browser data, and what is scrubbed before it is stored." />
      <div className="space-y-6">
        <Card title="Endpoints" description="Use an API key with the ingest scope.">
          <dl className="grid gap-2 text-sm sm:grid-cols-[12rem_1fr]">
            <dt className="text-slate-500">OTLP/HTTP (traces, metrics, logs)</dt>
            <dd className="font-mono text-xs">{endpoint}/v1/traces · /v1/metrics · /v1/logs</dd>
            <dt className="text-slate-500">Prometheus remote_write</dt>
            <dd className="font-mono text-xs">{endpoint}/api/v1/push</dd>
            <dt className="text-slate-500">Browser (Faro SDK)</dt>
            <dd className="font-mono text-xs">{endpoint}/collect</dd>
          </dl>
          <div className="mt-4">
            <CodeBlock copy>{`# prometheus.yml\nremote_write:\n  - url: ${endpoint}/api/v1/push\n    authorization:\n      credentials: <your key>`}</CodeBlock>
          </div>
        </Card>

        <Card title="Settings">
          <Form method="post" className="space-y-5" noValidate>
            <CsrfInput />
            <input type="hidden" name="intent" value="save" />
            {result?.ok && 'saved' in result ? <Alert tone="success">Saved. Every process picks it up within a few seconds.</Alert> : null}
            {failure?.formError ? <Alert tone="error">{failure.formError}</Alert> : null}
            <div className="space-y-1.5">
              <label htmlFor="allowedOrigins" className="block text-sm font-medium text-slate-700 dark:text-slate-300">
                Origins allowed to send browser data
              </label>
              <textarea
                id="allowedOrigins"
                name="allowedOrigins"
                rows={3}
                defaultValue={settings.allowedOrigins.join('\n')}
                className="block w-full rounded-md border-0 bg-white px-3 py-2 font-mono text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-brand-500 dark:bg-slate-900 dark:ring-slate-700"
              />
              {failure?.fieldErrors.allowedOrigins ? (
                <p className="text-sm text-red-600">{failure.fieldErrors.allowedOrigins}</p>
              ) : (
                <p className="text-xs text-slate-500">One per line, like https://shop.example.com. * allows any site.</p>
              )}
            </div>
            <Field
              label="Browser requests per second"
              name="rumRequestsPerSecond"
              type="number"
              defaultValue={String(settings.rumRequestsPerSecond)}
              error={failure?.fieldErrors.rumRequestsPerSecond}
              hint="Beyond this, /collect answers 429 and the SDK retries later."
            />
            <Field
              label="Keep telemetry for (days)"
              name="retentionDays"
              type="number"
              defaultValue={settings.retentionDays === null ? '' : String(settings.retentionDays)}
              placeholder={String(storeRetentionDays)}
              error={failure?.fieldErrors.retentionDays}
              hint={`In the built-in store. Empty keeps what this server keeps, ${storeRetentionDays} days; fewer deletes this tenant's older data in the hourly maintenance.`}
            />
            <fieldset className="space-y-2">
              <legend className="text-sm font-medium text-slate-700 dark:text-slate-300">Personal data scrubbing</legend>
              <label className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="piiEmails" defaultChecked={settings.pii.emails} className="h-4 w-4 rounded" /> Replace e-mail addresses
              </label>
              <label className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="piiCards" defaultChecked={settings.pii.cardNumbers} className="h-4 w-4 rounded" /> Replace card numbers (Luhn-checked)
              </label>
              <label htmlFor="piiKeys" className="block pt-2 text-sm">
                Attribute keys whose values are always replaced
              </label>
              <textarea
                id="piiKeys"
                name="piiKeys"
                rows={3}
                defaultValue={settings.pii.keys.join('\n')}
                className="block w-full rounded-md border-0 bg-white px-3 py-2 font-mono text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-brand-500 dark:bg-slate-900 dark:ring-slate-700"
              />
              <p className="text-xs text-slate-500">Matched case-insensitively on the whole key or its last part (http.request.header.authorization matches authorization).</p>
            </fieldset>
            <Button type="submit" busy={busy === 'save'}>
              Save
            </Button>
          </Form>
        </Card>

        <Card
          title="Pipeline"
          description={`Bus: ${bus.driver}. ${bus.detail}`}
          actions={<Badge tone={bus.ok ? 'green' : 'red'}>{bus.ok ? 'healthy' : 'down'}</Badge>}
        >
          {result?.ok && 'retried' in result ? <Alert tone="success">Handed back to the workers.</Alert> : null}
          {deadLetters.length === 0 ? (
            <EmptyState title="No dead letters">Batches that keep failing to store after every retry would be listed here, to retry once the cause is fixed.</EmptyState>
          ) : (
            <table className="w-full text-left text-sm" data-testid="dead-letters">
              <thead className="text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th className="py-2 pr-4 font-medium">Failed</th>
                  <th className="py-2 pr-4 font-medium">Signal</th>
                  <th className="py-2 pr-4 font-medium">Items</th>
                  <th className="py-2 pr-4 font-medium">Error</th>
                  <th className="py-2" />
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {deadLetters.map((d) => (
                  <tr key={d.id}>
                    <td className="py-2 pr-4 text-slate-500">
                      <RelativeTime value={new Date(d.failedAt).toISOString()} now={now} />
                    </td>
                    <td className="py-2 pr-4">{d.signal}</td>
                    <td className="py-2 pr-4">{d.items}</td>
                    <td className="max-w-md truncate py-2 pr-4 text-red-700 dark:text-red-400" title={d.error}>
                      {d.error} <span className="text-slate-400">({d.attempts} attempts)</span>
                    </td>
                    <td className="py-2 text-right">
                      <Form method="post">
                        <CsrfInput />
                        <input type="hidden" name="intent" value="retry" />
                        <input type="hidden" name="id" value={d.id} />
                        <Button type="submit" variant="secondary" size="sm">
                          Retry
                        </Button>
                      </Form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
      </div>
    </>
  );
}
