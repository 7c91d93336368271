/**
 * The admin's session: the bearer token from the `login` mutation, kept in localStorage so a page
 * reload (or a second tab) stays signed in until the token expires or the admin logs out.
 */
const KEY = 'gms-engage.session';

export interface Session {
  token: string;
  expiresAt: string;
  username: string;
}

type Listener = (session: Session | null) => void;
const listeners = new Set<Listener>();

export function readSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.token !== 'string' || typeof s.expiresAt !== 'string' || typeof s.username !== 'string')
      return null;
    if (Date.parse(s.expiresAt) <= Date.now()) return null;
    return { token: s.token, expiresAt: s.expiresAt, username: s.username };
  } catch {
    return null;
  }
}

export function writeSession(session: Session | null): void {
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
  for (const l of listeners) l(session);
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Another tab logged in or out.
window.addEventListener('storage', (e) => {
  if (e.key === KEY) for (const l of listeners) l(readSession());
});
