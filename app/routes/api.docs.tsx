import type { MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { openapi } from '~/.server/api/openapi';
import { Logo } from '~/components/icons';
import { Badge, cx } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'API · Obstack' }];

interface Param {
  name: string;
  in: string;
  required: boolean;
  description: string;
  schema: { type?: string | readonly string[]; enum?: readonly string[] };
}

interface Operation {
  method: string;
  path: string;
  tags: readonly string[];
  summary: string;
  description?: string;
  parameters: Param[];
  responses: Array<{ status: string; description: string }>;
}

/** The API reference, rendered from the same OpenAPI document /api/openapi.json serves. */
export function loader() {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(openapi.paths)) {
    for (const [method, op] of Object.entries(item as Record<string, Record<string, unknown>>)) {
      ops.push({
        method: method.toUpperCase(),
        path,
        tags: (op.tags as readonly string[]) ?? [],
        summary: String(op.summary ?? ''),
        ...(op.description ? { description: String(op.description) } : {}),
        parameters: ((op.parameters as Param[] | undefined) ?? []).map((p) => ({ ...p, required: Boolean(p.required) })),
        responses: Object.entries((op.responses as Record<string, { description: string }>) ?? {}).map(([status, r]) => ({ status, description: r.description })),
      });
    }
  }
  return { title: openapi.info.title, description: openapi.info.description, tags: openapi.tags, ops };
}

const methodTone = { GET: 'text-emerald-700 bg-emerald-50 dark:bg-emerald-500/15 dark:text-emerald-400', POST: 'text-sky-700 bg-sky-50 dark:bg-sky-500/15 dark:text-sky-400' } as Record<string, string>;

export default function ApiDocs() {
  const { title, description, tags, ops } = useLoaderData<typeof loader>();
  return (
    <div className="mx-auto max-w-5xl px-6 py-10">
      <div className="flex items-center justify-between">
        <Link to="/">
          <Logo />
        </Link>
        <a href="/api/openapi.json" className="text-sm font-medium text-brand-600 hover:underline">
          openapi.json
        </a>
      </div>
      <h1 className="mt-8 text-3xl font-semibold tracking-tight">{title}</h1>
      <p className="mt-3 max-w-3xl text-sm leading-relaxed text-slate-600 dark:text-slate-400">{description}</p>
      <pre className="mt-4 overflow-x-auto rounded-lg bg-slate-900 p-4 font-mono text-xs text-slate-100">
        {`curl -H "Authorization: Bearer $OBSTACK_KEY" "$OBSTACK_URL/api/v1/logs?from=now-15m&q=timeout&severity=warn"`}
      </pre>
      {tags.map((tag) => (
        <section key={tag.name} className="mt-10">
          <h2 className="text-xl font-semibold">{tag.name}</h2>
          <p className="text-sm text-slate-500">{tag.description}</p>
          <div className="mt-4 space-y-4">
            {ops
              .filter((o) => o.tags.includes(tag.name))
              .map((o) => (
                <article key={o.method + o.path} id={`${o.method}-${o.path}`} className="rounded-xl bg-white p-5 ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
                  <header className="flex flex-wrap items-center gap-3">
                    <span className={cx('rounded px-2 py-0.5 font-mono text-xs font-semibold', methodTone[o.method] ?? '')}>{o.method}</span>
                    <code className="font-mono text-sm">{o.path}</code>
                    <span className="text-sm text-slate-600 dark:text-slate-400">{o.summary}</span>
                  </header>
                  {o.description ? <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">{o.description}</p> : null}
                  {o.parameters.length ? (
                    <table className="mt-4 w-full text-left text-sm">
                      <thead className="text-xs uppercase tracking-wide text-slate-500">
                        <tr>
                          <th className="py-1 pr-4 font-medium">Parameter</th>
                          <th className="py-1 font-medium">Meaning</th>
                        </tr>
                      </thead>
                      <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                        {o.parameters.map((p) => (
                          <tr key={p.name}>
                            <td className="whitespace-nowrap py-1.5 pr-4 align-top">
                              <code className="font-mono text-xs">{p.name}</code> {p.required ? <Badge tone="amber">required</Badge> : null}
                            </td>
                            <td className="py-1.5 text-slate-600 dark:text-slate-400">{p.description}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  ) : null}
                  <ul className="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-500">
                    {o.responses.map((r) => (
                      <li key={r.status}>
                        <span className="font-mono font-semibold text-slate-700 dark:text-slate-300">{r.status}</span> {r.description}
                      </li>
                    ))}
                  </ul>
                </article>
              ))}
          </div>
        </section>
      ))}
    </div>
  );
}
