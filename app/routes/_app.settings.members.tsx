import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation, useSubmit } from '@remix-run/react';
import { z } from 'zod';
import { ROLES } from '@obstack/db/constants';
import {
  changeRole,
  createInvite,
  listMembers,
  listPendingInvites,
  removeMember,
  revokeInvite,
  roleAtLeast,
  roleSchema,
} from '~/.server/accounts';
import { audit } from '~/.server/audit';
import { readForm, requireRole } from '~/.server/auth';
import { AppError } from '~/.server/errors';
import { formFailure, parseForm } from '~/.server/forms';
import { Alert, Badge, Button, Card, CodeBlock, CsrfInput, Field, PageHeader, RelativeTime, Select } from '~/components/ui';

export const meta: MetaFunction = () => [{ title: 'Members · Obstack' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const p = await requireRole(request, context, 'viewer');
  const { db } = context.services;
  const canManage = roleAtLeast(p.role, 'admin');
  const [members, invites] = await Promise.all([
    listMembers(db, p.tenant.id),
    canManage ? listPendingInvites(db, p.tenant.id) : Promise.resolve([]),
  ]);
  return {
    now: Date.now(),
    me: p.user.id,
    myRole: p.role,
    canManage,
    members: members.map((m) => ({ ...m, joinedAt: m.joinedAt.toISOString() })),
    invites: invites.map((i) => ({ id: i.id, email: i.email, role: i.role, expiresAt: i.expiresAt.toISOString() })),
  };
}

const inviteSchema = z.object({ email: z.string(), role: roleSchema });
const roleChangeSchema = z.object({ userId: z.uuid(), role: roleSchema });
const userSchema = z.object({ userId: z.uuid() });
const inviteIdSchema = z.object({ inviteId: z.uuid() });

export async function action({ request, context }: ActionFunctionArgs) {
  const p = await requireRole(request, context, 'admin');
  const { db, config } = context.services;
  const actor = `user:${p.user.id}`;
  try {
    const form = await readForm(request, context);
    switch (form.get('intent')) {
      case 'invite': {
        const input = parseForm(form, inviteSchema);
        const { invite, token } = await createInvite(db, {
          tenantId: p.tenant.id,
          email: input.email,
          role: input.role,
          createdBy: p.user.id,
          actorRole: p.role,
        });
        await audit(db, { actor, tenantId: p.tenant.id, action: 'invite.created', target: invite.email, details: { role: invite.role } });
        return { ok: true as const, inviteLink: `${config.publicUrl}/invite/${token}`, invitedEmail: invite.email };
      }
      case 'role': {
        const input = parseForm(form, roleChangeSchema);
        await changeRole(db, p.tenant.id, p.role, input.userId, input.role);
        await audit(db, { actor, tenantId: p.tenant.id, action: 'member.role_changed', target: input.userId, details: { role: input.role } });
        return { ok: true as const };
      }
      case 'remove': {
        const input = parseForm(form, userSchema);
        if (input.userId === p.user.id) throw new AppError(400, 'self', 'You cannot remove yourself; ask another admin.');
        await removeMember(db, p.tenant.id, p.role, input.userId);
        await audit(db, { actor, tenantId: p.tenant.id, action: 'member.removed', target: input.userId });
        return { ok: true as const };
      }
      case 'revoke-invite': {
        const input = parseForm(form, inviteIdSchema);
        await revokeInvite(db, p.tenant.id, input.inviteId);
        await audit(db, { actor, tenantId: p.tenant.id, action: 'invite.revoked', target: input.inviteId });
        return { ok: true as const };
      }
      default:
        throw new AppError(400, 'bad_intent', 'Unknown action');
    }
  } catch (e) {
    return formFailure(e);
  }
}

export default function Members() {
  const { members, invites, canManage, me, myRole, now } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const submit = useSubmit();
  const busyIntent = nav.state === 'submitting' ? nav.formData?.get('intent') : null;
  const failure = result && !result.ok ? result : undefined;
  const invited = result?.ok && 'inviteLink' in result ? result : undefined;
  const assignable = ROLES.filter((r) => r !== 'owner' || myRole === 'owner');
  return (
    <>
      <PageHeader title="Members" description="People who can sign in to this tenant, and what they may do." />
      <div className="space-y-6">
        {failure?.formError ? <Alert tone="error">{failure.formError}</Alert> : null}
        {canManage ? (
          <Card title="Invite someone" description="They get a link to join with the role you choose. Links work once and expire in 7 days.">
            <Form method="post" className="flex flex-wrap items-end gap-3" noValidate>
              <CsrfInput />
              <input type="hidden" name="intent" value="invite" />
              <div className="min-w-64 flex-1">
                <Field label="E-mail" name="email" type="email" required error={failure?.fieldErrors.email} />
              </div>
              <Select label="Role" name="role" defaultValue="member">
                {assignable.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </Select>
              <Button type="submit" busy={busyIntent === 'invite'}>
                Create invite link
              </Button>
            </Form>
            {invited?.inviteLink ? (
              <div className="mt-4 space-y-2">
                <Alert tone="success">Invite for {invited.invitedEmail} created. Send them this link; it is shown only now.</Alert>
                <CodeBlock copy>{invited.inviteLink}</CodeBlock>
              </div>
            ) : null}
          </Card>
        ) : null}

        <Card title={`${members.length} member${members.length === 1 ? '' : 's'}`}>
          <table className="w-full text-left text-sm">
            <thead className="text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="py-2 pr-4 font-medium">User</th>
                <th className="py-2 pr-4 font-medium">Role</th>
                <th className="py-2 pr-4 font-medium">Joined</th>
                <th className="py-2" />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {members.map((m) => {
                const editable = canManage && m.userId !== me && (m.role !== 'owner' || myRole === 'owner');
                return (
                  <tr key={m.userId}>
                    <td className="py-2.5 pr-4">
                      <p className="font-medium">{m.name || m.email}</p>
                      {m.name ? <p className="text-xs text-slate-500">{m.email}</p> : null}
                    </td>
                    <td className="py-2.5 pr-4">
                      {editable ? (
                        <Form method="post">
                          <CsrfInput />
                          <input type="hidden" name="intent" value="role" />
                          <input type="hidden" name="userId" value={m.userId} />
                          <Select
                            name="role"
                            aria-label={`Role of ${m.email}`}
                            defaultValue={m.role}
                            onChange={(e) => submit(e.currentTarget.form)}
                          >
                            {assignable.map((r) => (
                              <option key={r} value={r}>
                                {r}
                              </option>
                            ))}
                          </Select>
                        </Form>
                      ) : (
                        <Badge tone={m.role === 'owner' ? 'brand' : 'neutral'}>{m.role}</Badge>
                      )}
                    </td>
                    <td className="py-2.5 pr-4 text-slate-500">
                      <RelativeTime value={m.joinedAt} now={now} />
                    </td>
                    <td className="py-2.5 text-right">
                      {editable ? (
                        <Form
                          method="post"
                          onSubmit={(e) => {
                            if (!confirm(`Remove ${m.email} from this tenant?`)) e.preventDefault();
                          }}
                        >
                          <CsrfInput />
                          <input type="hidden" name="intent" value="remove" />
                          <input type="hidden" name="userId" value={m.userId} />
                          <Button type="submit" variant="ghost" size="sm">
                            Remove
                          </Button>
                        </Form>
                      ) : m.userId === me ? (
                        <span className="text-xs text-slate-400">you</span>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Card>

        {canManage && invites.length > 0 ? (
          <Card title="Pending invites">
            <ul className="divide-y divide-slate-100 text-sm dark:divide-slate-800">
              {invites.map((i) => (
                <li key={i.id} className="flex items-center justify-between py-2.5">
                  <span>
                    {i.email} <Badge>{i.role}</Badge>
                    <span className="ml-2 text-xs text-slate-500">
                      expires <RelativeTime value={i.expiresAt} now={now} />
                    </span>
                  </span>
                  <Form method="post">
                    <CsrfInput />
                    <input type="hidden" name="intent" value="revoke-invite" />
                    <input type="hidden" name="inviteId" value={i.id} />
                    <Button type="submit" variant="ghost" size="sm">
                      Withdraw
                    </Button>
                  </Form>
                </li>
              ))}
            </ul>
          </Card>
        ) : null}
      </div>
    </>
  );
}
