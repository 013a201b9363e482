import { DEFAULT_GRANT_TYPES, isGrantType, needsRedirectUri } from '../oauth/grant-types.js';
import { redirectUriProblem } from '../oauth/redirect-uri.js';
import { ADMIN_SCOPE, type ScopeCatalogue } from '../oauth/scopes.js';
import { hashSecret, randomId, randomSecret } from '../security/secrets.js';
import type { ClientChanges, ClientRecord } from '../storage/clients.js';
import type { Storage } from '../storage/index.js';
import { AdminError } from './errors.js';

// Client registration, shared by the command line and the admin API: one set of rules for both.

export interface ClientInput {
  name: string;
  description?: string;
  redirectUris?: string[];
  grantTypes?: string[];
  scopes?: string[];
  public?: boolean;
  admin?: boolean;
  owner?: string;
  /** 'all' of the owner's accounts, or a list of account ids. */
  accounts?: 'all' | string[];
}

export interface ClientUpdate {
  name?: string;
  description?: string;
  redirectUris?: string[];
  grantTypes?: string[];
  scopes?: string[];
  accounts?: 'all' | string[];
}

/** The client as operators see it: never the secret, nor its hash. */
export interface ClientView {
  client_id: string;
  name: string;
  description: string;
  redirect_uris: string[];
  grant_types: string[];
  scopes: string[];
  public: boolean;
  admin: boolean;
  owner: string | null;
  accounts: 'all' | string[];
  created_at: string;
}

export interface ClientDeps {
  storage: Storage;
  scopes: ScopeCatalogue;
}

export async function createClient(
  deps: ClientDeps,
  input: ClientInput,
): Promise<{ client: ClientView; secret?: string }> {
  const isPublic = input.public === true;
  const isAdmin = input.admin === true;
  const grantTypes = checkGrantTypes(input.grantTypes ?? DEFAULT_GRANT_TYPES, isPublic);
  const redirectUris = checkRedirectUris(input.redirectUris ?? [], grantTypes);
  const scopes = checkScopes(deps.scopes, input.scopes ?? defaultScopes(deps.scopes), isAdmin);
  if (isAdmin && isPublic)
    throw new AdminError('invalid_input', 'an admin client must be confidential (not --public)');
  const name = checkName(input.name);
  const description = checkDescription(input.description ?? '');
  let ownerId: string | null = null;
  if (input.owner !== undefined) {
    const owner = await deps.storage.users.findByUsername(input.owner);
    if (!owner) throw new AdminError('unknown_user', `no user named "${input.owner}"`);
    ownerId = owner.id;
  }
  const accountIds = await checkAccounts(deps.storage, input.accounts ?? 'all');

  const secret = isPublic ? undefined : randomSecret();
  const record = await deps.storage.clients.create({
    id: randomId(),
    secretHash: secret === undefined ? null : hashSecret(secret),
    name,
    description,
    isPublic,
    isAdmin,
    redirectUris,
    grantTypes,
    scopes,
    ownerId,
    allAccounts: accountIds === 'all',
    accountIds: accountIds === 'all' ? [] : accountIds,
  });
  return { client: await viewClient(deps.storage, record), secret };
}

export async function listClients(deps: ClientDeps): Promise<ClientView[]> {
  const records = await deps.storage.clients.list();
  const owners = new Map((await deps.storage.users.list()).map((user) => [user.id, user.username]));
  return records.map((record) =>
    toView(record, record.ownerId ? (owners.get(record.ownerId) ?? null) : null),
  );
}

export async function showClient(deps: ClientDeps, clientId: string): Promise<ClientView> {
  return viewClient(deps.storage, await mustFind(deps.storage, clientId));
}

export async function updateClient(
  deps: ClientDeps,
  clientId: string,
  update: ClientUpdate,
): Promise<ClientView> {
  const current = await mustFind(deps.storage, clientId);
  const changes: ClientChanges = {};
  if (update.name !== undefined) changes.name = checkName(update.name);
  if (update.description !== undefined) changes.description = checkDescription(update.description);
  const grantTypes =
    update.grantTypes === undefined
      ? current.grantTypes
      : checkGrantTypes(update.grantTypes, current.isPublic);
  if (update.grantTypes !== undefined) changes.grantTypes = grantTypes;
  const redirectUris = checkRedirectUris(update.redirectUris ?? current.redirectUris, grantTypes);
  if (update.redirectUris !== undefined) changes.redirectUris = redirectUris;
  if (update.scopes !== undefined) changes.scopes = checkScopes(deps.scopes, update.scopes, current.isAdmin);
  if (update.accounts !== undefined) {
    const accounts = await checkAccounts(deps.storage, update.accounts);
    changes.allAccounts = accounts === 'all';
    changes.accountIds = accounts === 'all' ? [] : accounts;
  }
  const updated = await deps.storage.clients.update(clientId, changes);
  if (!updated) throw notFound(clientId);
  return viewClient(deps.storage, updated);
}

/** A new secret, shown once; the old one stops working at once (checklist O2). */
export async function rotateClientSecret(
  deps: ClientDeps,
  clientId: string,
): Promise<{ client: ClientView; secret: string }> {
  const record = await mustFind(deps.storage, clientId);
  if (record.isPublic) throw new AdminError('invalid_input', 'a public client has no secret to rotate');
  const secret = randomSecret();
  if (!(await deps.storage.clients.setSecretHash(clientId, hashSecret(secret)))) throw notFound(clientId);
  return { client: await viewClient(deps.storage, record), secret };
}

export async function deleteClient(deps: ClientDeps, clientId: string): Promise<void> {
  if (!(await deps.storage.clients.delete(clientId))) throw notFound(clientId);
}

function defaultScopes(catalogue: ScopeCatalogue): string[] {
  return Object.keys(catalogue).filter((scope) => scope !== ADMIN_SCOPE);
}

async function mustFind(storage: Storage, clientId: string): Promise<ClientRecord> {
  const record = await storage.clients.find(clientId);
  if (!record) throw notFound(clientId);
  return record;
}

function notFound(clientId: string): AdminError {
  return new AdminError('not_found', `no client with id "${clientId}"`);
}

async function viewClient(storage: Storage, record: ClientRecord): Promise<ClientView> {
  const owner = record.ownerId ? await storage.users.find(record.ownerId) : null;
  return toView(record, owner?.username ?? null);
}

function toView(record: ClientRecord, owner: string | null): ClientView {
  return {
    client_id: record.id,
    name: record.name,
    description: record.description,
    redirect_uris: record.redirectUris,
    grant_types: record.grantTypes,
    scopes: record.scopes,
    public: record.isPublic,
    admin: record.isAdmin,
    owner,
    accounts: record.allAccounts ? 'all' : record.accountIds,
    created_at: record.createdAt.toISOString(),
  };
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new AdminError('invalid_input', 'the client name must not be empty');
  if (trimmed.length > 200)
    throw new AdminError('invalid_input', 'the client name is longer than 200 characters');
  return trimmed;
}

function checkDescription(description: string): string {
  if (description.length > 1000)
    throw new AdminError('invalid_input', 'the description is longer than 1000 characters');
  return description.trim();
}

function checkGrantTypes(grantTypes: readonly string[], isPublic: boolean): string[] {
  if (grantTypes.length === 0)
    throw new AdminError('unknown_grant_type', 'at least one grant type is needed');
  for (const grantType of grantTypes) {
    if (!isGrantType(grantType)) {
      throw new AdminError(
        'unknown_grant_type',
        `unknown grant type "${grantType}" (known: authorization_code, refresh_token, implicit, client_credentials)`,
      );
    }
  }
  // RFC 6749 §4.4: only a client that can keep a secret may use client credentials.
  if (isPublic && grantTypes.includes('client_credentials')) {
    throw new AdminError('invalid_input', 'a public client cannot use client_credentials');
  }
  if (grantTypes.includes('refresh_token') && !grantTypes.includes('authorization_code')) {
    throw new AdminError('invalid_input', 'refresh_token needs authorization_code');
  }
  return [...new Set(grantTypes)];
}

function checkRedirectUris(uris: readonly string[], grantTypes: readonly string[]): string[] {
  for (const uri of uris) {
    const problem = redirectUriProblem(uri);
    if (problem) throw new AdminError('invalid_redirect_uri', `redirect URI "${uri}" ${problem}`);
  }
  if (uris.length === 0 && needsRedirectUri(grantTypes)) {
    throw new AdminError(
      'invalid_redirect_uri',
      'at least one redirect URI is needed for authorization_code or implicit',
    );
  }
  return [...new Set(uris)];
}

function checkScopes(catalogue: ScopeCatalogue, scopes: readonly string[], isAdmin: boolean): string[] {
  for (const scope of scopes) {
    if (!Object.hasOwn(catalogue, scope)) {
      throw new AdminError(
        'unknown_scope',
        `unknown scope "${scope}" (known: ${Object.keys(catalogue).join(', ')})`,
      );
    }
  }
  if (scopes.includes(ADMIN_SCOPE) && !isAdmin) {
    throw new AdminError('invalid_input', 'the admin scope is only for admin clients (--admin)');
  }
  return [...new Set(scopes)];
}

async function checkAccounts(storage: Storage, accounts: 'all' | string[]): Promise<'all' | string[]> {
  if (accounts === 'all') return 'all';
  const ids = [...new Set(accounts)];
  const existing = new Set(await storage.accounts.existing(ids));
  const missing = ids.filter((id) => !existing.has(id));
  if (missing.length > 0) throw new AdminError('unknown_account', `no account with id "${missing[0]}"`);
  return ids;
}
