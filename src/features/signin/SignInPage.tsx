import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useEngine } from '../../common/engine-context';
import type { HeaderPrefixSetting } from '../../core/events';
import type { Credentials } from '../../engine/protocol';
import { loadRemembered, saveRemembered, signIn, type Session } from '../../common/session';

interface Props {
  defaultServer: string;
  /** From config.json; when it is unusable the page says so and does not sign in. */
  headerPrefix: HeaderPrefixSetting;
  /** Told what was used, so that the tab can keep it (docs/security.md#8-a-signed-in-tab). */
  onSignedIn: (session: Session, credentials: Credentials) => void;
  /** Whose sign-in this tab kept, and why signing in with it again did not work (a sentence). */
  refused?: { servers: string; user: string; reason: string } | null;
}

export function SignInPage({ defaultServer, headerPrefix, onSignedIn, refused = null }: Props) {
  const engine = useEngine();
  const remembered = refused ?? loadRemembered();
  const [servers, setServers] = useState(remembered?.servers ?? defaultServer);
  const [user, setUser] = useState(remembered?.user ?? '');
  const [password, setPassword] = useState('');
  const [remember, setRemember] = useState(loadRemembered() !== null);
  const mutation = useMutation({
    mutationFn: () =>
      // Not reached with a bad prefix (the button is disabled then), but never signs in with one.
      headerPrefix.ok
        ? signIn(engine, { servers: servers.trim(), user: user.trim(), password }, headerPrefix.prefix)
        : Promise.reject(new Error(headerPrefix.message)),
    onSuccess: (session) => {
      saveRemembered(remember ? { servers: servers.trim(), user: user.trim() } : null);
      onSignedIn(session, { servers: servers.trim(), user: user.trim(), password });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };

  return (
    <div className="signin">
      <form onSubmit={submit} aria-label="Sign in">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={26} height={26} /> Stockwire
        </div>
        <p className="tagline">Live warehouse stock, sales and procurement from the event stream.</p>
        <label>
          Server URL
          <input
            value={servers}
            onChange={(e) => setServers(e.target.value)}
            required
            placeholder="ws://host:9222"
            aria-describedby="server-url-hint"
            spellCheck={false}
            autoCapitalize="off"
          />
        </label>
        <small id="server-url-hint" style={{ color: 'var(--muted)', marginTop: -6 }}>
          For a cluster, list several URLs separated by commas: any node that is up will do, and the others
          take over if it goes away.
        </small>
        <label>
          User
          <input
            value={user}
            onChange={(e) => setUser(e.target.value)}
            required
            autoComplete="username"
            autoFocus
          />
        </label>
        <label>
          Password
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            autoComplete="current-password"
          />
        </label>
        <label className="inline">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} /> Keep
          the address and name on this device
        </label>
        {!headerPrefix.ok && (
          <div className="alert" role="alert">
            This dashboard is misconfigured, so it cannot sign in: {headerPrefix.message}. Ask whoever
            deployed it to correct config.json.
          </div>
        )}
        {refused && mutation.isIdle && (
          <div className="alert" role="alert">
            {refused.reason}
          </div>
        )}
        {mutation.isError && (
          <div className="alert" role="alert">
            {mutation.error.message}
          </div>
        )}
        <button className="primary" type="submit" disabled={mutation.isPending || !headerPrefix.ok}>
          {mutation.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
