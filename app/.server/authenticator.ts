import { Authenticator } from 'remix-auth';
import { FormStrategy } from 'remix-auth-form';
import type { Database } from '@obstack/db';
import { findUserByEmail } from './accounts';
import { AppError } from './errors';
import { burnPasswordCheck, verifyPassword } from './passwords';

export interface AuthUser {
  id: string;
  email: string;
  name: string;
}

export const FORM_STRATEGY = 'form';

/**
 * remix-auth with the e-mail/password form strategy. Other strategies (OIDC, e.g.
 * Keycloak) register here under their own names; routes only name the strategy.
 */
export function createAuthenticator(db: Database): Authenticator<AuthUser> {
  const authenticator = new Authenticator<AuthUser>();
  authenticator.use(
    new FormStrategy(async ({ form }) => {
      const email = String(form.get('email') ?? '').trim().toLowerCase();
      const password = String(form.get('password') ?? '');
      const user = email ? await findUserByEmail(db, email) : undefined;
      if (!user?.passwordHash) {
        await burnPasswordCheck(password);
        throw new AppError(401, 'invalid_credentials', 'Wrong e-mail or password.');
      }
      if (!(await verifyPassword(user.passwordHash, password))) {
        throw new AppError(401, 'invalid_credentials', 'Wrong e-mail or password.');
      }
      if (!user.isActive) throw new AppError(403, 'account_disabled', 'This account is disabled. Ask an administrator.');
      return { id: user.id, email: user.email, name: user.name };
    }),
    FORM_STRATEGY,
  );
  return authenticator;
}
