import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { API_KEY_SCOPES } from '@obstack/db/constants';
import { createApiKey, listApiKeys, revokeApiKey } from '~/.server/api-keys';
import { audit } from '~/.server/audit';
import { readForm, requireRole } from '~/.server/auth';
import { AppError } from '~/.server/errors';
import { formFailure, parseForm } from '~/.server/forms';
import {
  Alert,
  Badge,
  Button,
  Card,
  CodeBlock,
  CsrfInput,
  EmptyState,
  Field,
  PageHeader,
  RelativeTime,
  Select,
} from '~/components/ui';
import { KeyIcon } from '~/components/icons';

export const meta: MetaFunction = () => [{ title: 'API keys · Obstack' }];

const SCOPE_HELP: Record<(typeof API_KEY_SCOPES)[number], string> = {
  ingest: 'send telemetry (OTLP, remote_write, browser RUM)',
  read: 'query data through the API',
  admin: 'manage this tenant through the API',
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  const p = await requireRole(request, context, 'admin');
  const keys = await listApiKeys(context.services.db, p.tenant.id);
  return {
    now: Date.now(),
    keys: keys.map((k) => ({
      id: k.id,
      name: k.name,
      prefix: k.prefix,
      scopes: k.scopes,
      createdAt: k.createdAt.toISOString(),
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
      expiresAt: k.expiresAt?.toISOString() ?? null,
      revokedAt: k.revokedAt?.toISOString() ?? null,
    })),
  };
}

const createSchema = z.object({
  name: z.string(),
  scopes: z.union([z.string(), z.array(z.string())], { error: 'Pick at least one scope' }).transform((v) => (Array.isArray(v) ? v : [v]).filter(Boolean)),
  expiresInDays: z.enum(['never', '30', '90', '365'], { error: 'Pick an expiry' }).default('never'),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const p = await requireRole(request, context, 'admin');
  const { db, apiKeys } = context.services;
  const actor = `user:${p.user.id}`;
  try {
    const form = await readForm(request, context);
    const intent = form.get('intent');
    if (intent === 'create') {
      const input = parseForm(form, createSchema);
      const { key, apiKey } = await createApiKey(db, {
        tenantId: p.tenant.id,
        name: input.name,
        scopes: input.scopes,
        expiresAt: input.expiresInDays === 'never' ? null : new Date(Date.now() + Number(input.expiresInDays) * 86_400_000),
        createdBy: p.user.id,
      });
      await audit(db, { actor, tenantId: p.tenant.id, action: 'api_key.created', target: apiKey.prefix, details: { scopes: apiKey.scopes } });
      return { ok: true as const, created: { key, name: apiKey.name } };
    }
    if (intent === 'revoke') {
      const id = z.uuid({ error: 'Unknown key' }).parse(form.get('id'));
      const revoked = await revokeApiKey(db, p.tenant.id, id);
      apiKeys.forget(revoked.prefix);
      await audit(db, { actor, tenantId: p.tenant.id, action: 'api_key.revoked', target: revoked.prefix });
      return { ok: true as const, revoked: revoked.prefix };
    }
    throw new AppError(400, 'bad_intent', 'Unknown action');
  } catch (e) {
    return formFailure(e);
  }
}

function keyStatus(k: { revokedAt: string | null; expiresAt: string | null }, now: number) {
  if (k.revokedAt) return <Badge tone="red">revoked</Badge>;
  if (k.expiresAt && new Date(k.expiresAt).getTime() <= now) return <Badge tone="amber">expired</Badge>;
  return <Badge tone="green">active</Badge>;
}

export default function ApiKeys() {
  const { keys, now } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const busyIntent = nav.state === 'submitting' ? nav.formData?.get('intent') : null;
  const failure = result && !result.ok ? result : undefined;
  const created = result?.ok && 'created' in result ? result.created : undefined;
  const revoked = result?.ok && 'revoked' in result ? result.revoked : undefined;
  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys let services, browsers and scripts send data to this tenant or read from it. Only a hash of each key is stored."
      />
      <div className="space-y-6">
        <Card title="Create a key">
          {/* A new key remounts the form, so its fields start empty for the next one; errors keep them. */}
          <Form key={created?.key ?? 'form'} method="post" className="space-y-4" noValidate>
            <CsrfInput />
            <input type="hidden" name="intent" value="create" />
            {failure?.formError ? <Alert tone="error">{failure.formError}</Alert> : null}
            <div className="grid gap-4 sm:grid-cols-2">
              <Field label="Name" name="name" placeholder="checkout-service production" required error={failure?.fieldErrors.name} />
              <Select label="Expires" name="expiresInDays" defaultValue="never">
                <option value="never">Never</option>
                <option value="30">In 30 days</option>
                <option value="90">In 90 days</option>
                <option value="365">In a year</option>
              </Select>
            </div>
            <fieldset>
              <legend className="text-sm font-medium text-slate-700 dark:text-slate-300">Scopes</legend>
              <div className="mt-2 space-y-2">
                {API_KEY_SCOPES.map((s) => (
                  <label key={s} className="flex items-center gap-2 text-sm">
                    <input
                      type="checkbox"
                      name="scopes"
                      value={s}
                      defaultChecked={s === 'ingest'}
                      className="h-4 w-4 rounded border-slate-300 text-brand-600 focus:ring-brand-500"
                    />
                    <span className="font-medium">{s}</span>
                    <span className="text-slate-500 dark:text-slate-400">— {SCOPE_HELP[s]}</span>
                  </label>
                ))}
              </div>
              {failure?.fieldErrors.scopes ? <p className="mt-1 text-sm text-red-600">{failure.fieldErrors.scopes}</p> : null}
            </fieldset>
            <Button type="submit" busy={busyIntent === 'create'}>
              Create key
            </Button>
          </Form>
          {created ? (
            <div className="mt-4 space-y-2" data-testid="new-key">
              <Alert tone="warning" title={`Copy "${created.name}" now`}>
                This is the only time the key is shown. If you lose it, revoke it and create another.
              </Alert>
              <CodeBlock copy>{created.key}</CodeBlock>
            </div>
          ) : null}
          {revoked ? (
            <div className="mt-4">
              <Alert tone="success">Key {revoked} revoked. Requests using it are refused from now on.</Alert>
            </div>
          ) : null}
        </Card>

        {keys.length === 0 ? (
          <EmptyState title="No API keys yet" icon={<KeyIcon width={28} height={28} />}>
            Create a key with the ingest scope and give it to your OpenTelemetry exporter or the browser SDK.
          </EmptyState>
        ) : (
          <Card title="Keys">
            <table className="w-full text-left text-sm" data-testid="keys-table">
              <thead className="text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th className="py-2 pr-4 font-medium">Name</th>
                  <th className="py-2 pr-4 font-medium">Key</th>
                  <th className="py-2 pr-4 font-medium">Scopes</th>
                  <th className="py-2 pr-4 font-medium">Last used</th>
                  <th className="py-2 pr-4 font-medium">Status</th>
                  <th className="py-2" />
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {keys.map((k) => (
                  <tr key={k.id}>
                    <td className="py-2.5 pr-4">
                      <p className="font-medium">{k.name}</p>
                      <p className="text-xs text-slate-500">
                        created <RelativeTime value={k.createdAt} now={now} />
                        {k.expiresAt && !k.revokedAt ? (
                          <>
                            {' · expires '}
                            <RelativeTime value={k.expiresAt} now={now} />
                          </>
                        ) : null}
                      </p>
                    </td>
                    <td className="py-2.5 pr-4 font-mono text-xs">{k.prefix}…</td>
                    <td className="py-2.5 pr-4">
                      <div className="flex flex-wrap gap-1">
                        {k.scopes.map((s) => (
                          <Badge key={s} tone="brand">
                            {s}
                          </Badge>
                        ))}
                      </div>
                    </td>
                    <td className="py-2.5 pr-4 text-slate-500">
                      <RelativeTime value={k.lastUsedAt} now={now} />
                    </td>
                    <td className="py-2.5 pr-4">{keyStatus(k, now)}</td>
                    <td className="py-2.5 text-right">
                      {!k.revokedAt ? (
                        <Form
                          method="post"
                          onSubmit={(e) => {
                            if (!confirm(`Revoke ${k.prefix}? Clients using it will be refused at once.`)) e.preventDefault();
                          }}
                        >
                          <CsrfInput />
                          <input type="hidden" name="intent" value="revoke" />
                          <input type="hidden" name="id" value={k.id} />
                          <Button type="submit" variant="ghost" size="sm" aria-label={`Revoke ${k.prefix}`}>
                            Revoke
                          </Button>
                        </Form>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        )}
      </div>
    </>
  );
}
