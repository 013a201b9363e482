import { hashPassword } from '../security/passwords.js';
import { randomId } from '../security/secrets.js';
import type { AccountRecord } from '../storage/accounts.js';
import type { Storage } from '../storage/index.js';
import type { UserRecord } from '../storage/users.js';
import { AdminError } from './errors.js';

// Users and accounts, shared by the command line and the admin API.

export interface UserView {
  id: string;
  username: string;
  email: string | null;
  created_at: string;
}

export interface AccountView {
  id: string;
  name: string;
  created_at: string;
}

const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;

export async function createUser(
  storage: Storage,
  input: { username: string; email?: string; password: string },
): Promise<UserView> {
  if (!USERNAME.test(input.username)) {
    throw new AdminError(
      'invalid_input',
      'a username is 1 to 64 letters, digits, dots, dashes, underscores or @',
    );
  }
  if (input.email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(input.email)) {
    throw new AdminError('invalid_input', `"${input.email}" is not an email address`);
  }
  checkPassword(input.password);
  if (await storage.users.findByUsername(input.username)) {
    throw new AdminError('duplicate_username', `a user named "${input.username}" already exists`);
  }
  const passwordHash = await hashPassword(input.password);
  try {
    return userView(
      await storage.users.create({
        id: randomId(),
        username: input.username,
        email: input.email ?? null,
        passwordHash,
      }),
    );
  } catch (error) {
    // Two creations racing: the database's unique index decides.
    if (await storage.users.findByUsername(input.username)) {
      throw new AdminError('duplicate_username', `a user named "${input.username}" already exists`);
    }
    throw error;
  }
}

export async function listUsers(storage: Storage): Promise<UserView[]> {
  return (await storage.users.list()).map(userView);
}

export async function deleteUser(storage: Storage, username: string): Promise<void> {
  if (!(await storage.users.delete(username)))
    throw new AdminError('not_found', `no user named "${username}"`);
}

export async function setUserPassword(storage: Storage, username: string, password: string): Promise<void> {
  checkPassword(password);
  if (!(await storage.users.findByUsername(username))) {
    throw new AdminError('not_found', `no user named "${username}"`);
  }
  await storage.users.setPasswordHash(username, await hashPassword(password));
}

export async function createAccount(storage: Storage, input: { name: string }): Promise<AccountView> {
  const name = input.name.trim();
  if (name === '' || name.length > 200)
    throw new AdminError('invalid_input', 'an account name is 1 to 200 characters');
  return accountView(await storage.accounts.create({ id: randomId(), name }));
}

export async function listAccounts(storage: Storage): Promise<AccountView[]> {
  return (await storage.accounts.list()).map(accountView);
}

export async function addAccountMember(storage: Storage, accountId: string, username: string): Promise<void> {
  if (!(await storage.accounts.find(accountId)))
    throw new AdminError('not_found', `no account with id "${accountId}"`);
  const user = await storage.users.findByUsername(username);
  if (!user) throw new AdminError('unknown_user', `no user named "${username}"`);
  await storage.accounts.addMember(accountId, user.id);
}

function checkPassword(password: string): void {
  if (password === '') throw new AdminError('invalid_input', 'the password must not be empty');
  if (password.length > 1024)
    throw new AdminError('invalid_input', 'the password is longer than 1024 characters');
}

function userView(user: UserRecord): UserView {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    created_at: user.createdAt.toISOString(),
  };
}

function accountView(account: AccountRecord): AccountView {
  return { id: account.id, name: account.name, created_at: account.createdAt.toISOString() };
}
