import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, gt, lte } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { UnauthorizedError } from '../errors.js';
import { authTokensTable } from './auth.tables.js';
import type { Viewer } from './viewer.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export interface Credentials {
  authorization: string | null;
  gmsUser: string | null;
  /** `x-gms-device-token` (ownership/strict mode); ignored with admin or agent credentials. */
  deviceToken?: string | null;
}

/** Resolves a module's own bearer token to a viewer (null: not a live token). */
export type TokenResolver = (token: string, gmsUser: string | null) => Promise<Viewer | null>;

declare module '../managers.types.js' {
  interface Managers {
    auth: AuthManager;
  }
}

/**
 * Admin identity: HTTP Basic against the configured pair, or a bearer token from `login`.
 * No credentials at all is an end user; wrong credentials are refused (401), as GMS does.
 * Modules with their own bearer tokens (agent desktop) register a resolver for their prefix.
 */
export class AuthManager {
  private readonly tokenResolvers = new Map<string, TokenResolver>();

  constructor(private readonly deps: Deps) {}

  /** Bearer tokens starting with `prefix` are checked by `resolve` before the admin tokens. */
  registerTokenResolver(prefix: string, resolve: TokenResolver): void {
    this.tokenResolvers.set(prefix, resolve);
  }

  checkPassword(username: string, password: string): boolean {
    const { admin } = this.deps.config;
    return safeEqual(username, admin.username) && safeEqual(password, admin.password);
  }

  async authenticate(credentials: Credentials): Promise<Viewer> {
    const { authorization, gmsUser } = credentials;
    if (!authorization) return { kind: 'user', gmsUser, deviceToken: credentials.deviceToken ?? null };
    const [scheme, value = ''] = authorization.trim().split(/\s+/, 2);
    if (scheme?.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const sep = decoded.indexOf(':');
      if (sep < 0) throw new UnauthorizedError('Malformed Basic credentials');
      const username = decoded.slice(0, sep);
      if (!this.checkPassword(username, decoded.slice(sep + 1)))
        throw new UnauthorizedError('Invalid credentials');
      return { kind: 'admin', username, gmsUser };
    }
    if (scheme?.toLowerCase() === 'bearer' && value) {
      for (const [prefix, resolve] of this.tokenResolvers) {
        if (!value.startsWith(prefix)) continue;
        const viewer = await resolve(value, gmsUser);
        if (viewer) return viewer;
      }
      const username = await this.verifyToken(value);
      if (!username) throw new UnauthorizedError('Invalid or expired token');
      return { kind: 'admin', username, gmsUser };
    }
    throw new UnauthorizedError('Unsupported authorization scheme');
  }

  async login(username: string, password: string): Promise<{ token: string; expiresAt: Date }> {
    if (!this.checkPassword(username, password)) throw new UnauthorizedError('Invalid credentials');
    const token = randomBytes(32).toString('base64url');
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + this.deps.config.admin.tokenTtlSeconds * 1000);
    await this.deps.db
      .insert(authTokensTable)
      .values({ tokenHash: sha256(token), username, createdAt: now, expiresAt });
    return { token, expiresAt };
  }

  async logout(token: string): Promise<boolean> {
    const rows = await this.deps.db
      .delete(authTokensTable)
      .where(eq(authTokensTable.tokenHash, sha256(token)))
      .returning({ h: authTokensTable.tokenHash });
    return rows.length > 0;
  }

  private async verifyToken(token: string): Promise<string | null> {
    const [row] = await this.deps.db
      .select({ username: authTokensTable.username })
      .from(authTokensTable)
      .where(
        and(
          eq(authTokensTable.tokenHash, sha256(token)),
          gt(authTokensTable.expiresAt, this.deps.clock.now()),
        ),
      )
      .limit(1);
    return row?.username ?? null;
  }

  async sweepExpiredTokens(): Promise<number> {
    const rows = await this.deps.db
      .delete(authTokensTable)
      .where(lte(authTokensTable.expiresAt, this.deps.clock.now()))
      .returning({ h: authTokensTable.tokenHash });
    return rows.length;
  }
}
