import { useState, type FormEvent } from 'react';
import { setNewPassword, signIn } from '../auth';
import { ErrorAlert } from '../components';

export function SignIn({ onSignedIn }: { onSignedIn: (idToken: string) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [newPassword, setNewPasswordValue] = useState('');
  const [challenge, setChallenge] = useState<{ session: string; email: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const run = async (event: FormEvent, step: () => Promise<void>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await step();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="centered">
      <h1>Customer Dashboard</h1>
      {challenge ? (
        <form
          onSubmit={(event) =>
            run(event, async () => onSignedIn(await setNewPassword(challenge.email, challenge.session, newPassword)))
          }
        >
          <p>This is your first sign-in: choose a new password.</p>
          <label htmlFor="new-password">New password</label>
          <input id="new-password" type="password" autoComplete="new-password" required minLength={8} value={newPassword} onChange={(e) => setNewPasswordValue(e.target.value)} />
          <button type="submit" disabled={busy}>
            Set password
          </button>
        </form>
      ) : (
        <form
          onSubmit={(event) =>
            run(event, async () => {
              const result = await signIn(email.trim(), password);
              if (result.kind === 'signed-in') onSignedIn(result.idToken);
              else setChallenge({ session: result.session, email: result.email });
            })
          }
        >
          <label htmlFor="email">Email</label>
          <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <label htmlFor="password">Password</label>
          <input id="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
      )}
      {busy ? <p role="status">Signing in…</p> : null}
      <ErrorAlert error={error} />
    </main>
  );
}
