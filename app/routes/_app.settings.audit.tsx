import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { recentAudit } from '~/.server/audit';
import { requireRole } from '~/.server/auth';
import { Card, EmptyState, PageHeader, RelativeTime } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'Audit log · Obstack' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const p = await requireRole(request, context, 'admin');
  const entries = await recentAudit(context.services.db, p.tenant.id, 200);
  return {
    now: Date.now(),
    entries: entries.map((e) => ({ id: e.id, actor: e.actorEmail ?? e.actor, action: e.action, target: e.target, at: e.at.toISOString() })),
  };
}

export default function AuditLog() {
  const { entries, now } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Audit log" description="Who changed what in this tenant: sign-ins, members, keys and settings." />
      {entries.length === 0 ? (
        <EmptyState title="Nothing recorded yet" />
      ) : (
        <Card>
          <table className="w-full text-left text-sm">
            <thead className="text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="py-2 pr-4 font-medium">When</th>
                <th className="py-2 pr-4 font-medium">Action</th>
                <th className="py-2 pr-4 font-medium">Target</th>
                <th className="py-2 font-medium">Actor</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {entries.map((e) => (
                <tr key={e.id}>
                  <td className="whitespace-nowrap py-2 pr-4 text-slate-500">
                    <RelativeTime value={e.at} now={now} />
                  </td>
                  <td className="py-2 pr-4 font-mono text-xs">{e.action}</td>
                  <td className="py-2 pr-4">{e.target}</td>
                  <td className="py-2 font-mono text-xs text-slate-500">{e.actor}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </>
  );
}
