import { Client, fetchExchange } from '@urql/core';
import { type FormEvent, useState } from 'react';
import { graphql } from '../../gql';
import { writeSession } from '../../lib/session';
import { describeError } from '../../ui/QueryError';

const LoginMutation = graphql(`
  mutation ConsoleLogin($username: String!, $password: String!) {
    login(username: $username, password: $password) {
      __typename
      ... on MutationLoginSuccess {
        data {
          token
          expiresAt
        }
      }
      ...ResultError
    }
  }
`);

// Signing in needs no token: a client of its own, with no cache.
const anonymous = new Client({ url: '/graphql', exchanges: [fetchExchange] });

/** The seed's login screen: the admin's user name and password, exchanged for a bearer token. */
export function LoginPage() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const result = await anonymous.mutation(LoginMutation, { username, password }).toPromise();
    setBusy(false);
    if (result.error) return setError(describeError(result.error));
    const login = result.data?.login;
    if (login?.__typename === 'MutationLoginSuccess')
      return writeSession({ token: login.data.token, expiresAt: login.data.expiresAt, username });
    setError(login && 'message' in login ? login.message : 'Sign-in failed');
  }

  return (
    <main>
      <form className="login" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">GMS Engage — Service Management</h1>
        {error && (
          <div className="banner error" role="alert">
            {error}
          </div>
        )}
        <div className="field">
          <label htmlFor="login-username">User name</label>
          <input
            id="login-username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
