import { startTransition, useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useRouteContext } from '@tanstack/react-router';
import { SignInPage } from '../features/signin/SignInPage';
import { useEngine } from '../common/engine-context';
import { SignInError, type Session } from '../common/session';
import { forgetTabSignIn, loadTabSignIn, saveTabSignIn } from '../common/tab-sign-in';
import type { Credentials } from '../engine/protocol';
import { resumeSignIn } from './resume-sign-in';
import { SignedInContext } from './session-context';
import { SignedInLayout } from './SignedInLayout';

type Gate =
  | { phase: 'resuming'; kept: Credentials }
  | { phase: 'signed-out'; refused: { servers: string; user: string; reason: string } | null }
  | { phase: 'signed-in'; session: Session };

/**
 * The root of every address: the sign-in page until someone is signed in, then the page the address names.
 * The address is left as it is meanwhile, so a link opened before signing in is where the sign-in lands.
 */
export function SessionGate() {
  const engine = useEngine();
  const queryClient = useQueryClient();
  const { config } = useRouteContext({ from: '__root__' });
  const [gate, setGate] = useState<Gate>(() => {
    // A reload signs in again with what this tab kept (docs/security.md#8-a-signed-in-tab).
    const kept = config.headerPrefix.ok ? loadTabSignIn() : null;
    return kept ? { phase: 'resuming', kept } : { phase: 'signed-out', refused: null };
  });

  useEffect(() => {
    if (gate.phase !== 'resuming' || !config.headerPrefix.ok) return;
    const { kept } = gate;
    let current = true;
    resumeSignIn(engine, kept, config.headerPrefix.prefix).then(
      (session) => {
        if (current) startTransition(() => setGate({ phase: 'signed-in', session }));
      },
      (error: unknown) => {
        const refused = error instanceof SignInError && error.kind === 'auth';
        // A refused password is of no more use; a server that is away may take it again at the next reload.
        if (refused) forgetTabSignIn();
        const message = error instanceof Error ? error.message : String(error);
        const reason = refused
          ? `The server no longer accepts this tab's sign-in: ${message}. Enter the password again.`
          : `Signing in again did not work: ${message}`;
        if (current)
          setGate({ phase: 'signed-out', refused: { servers: kept.servers, user: kept.user, reason } });
      },
    );
    return () => {
      current = false;
    };
  }, [gate, engine, config.headerPrefix]);

  if (gate.phase === 'resuming') {
    return (
      <div className="signin">
        <p role="status" className="signin-resuming">
          Signing in again as {gate.kept.user}…
        </p>
      </div>
    );
  }
  if (gate.phase === 'signed-out') {
    return (
      <SignInPage
        defaultServer={config.natsUrl}
        headerPrefix={config.headerPrefix}
        refused={gate.refused}
        onSignedIn={(session, credentials) => {
          saveTabSignIn(credentials);
          // Mounting the whole dashboard is the biggest render there is: as a transition React slices it, so
          // the page stays responsive while the replay starts (npm run bench: longest main-thread task, cold
          // replay).
          startTransition(() => setGate({ phase: 'signed-in', session }));
        }}
      />
    );
  }
  const signOut = () => {
    forgetTabSignIn();
    engine.disconnect();
    queryClient.clear();
    setGate({ phase: 'signed-out', refused: null });
  };
  return (
    <SignedInContext.Provider value={{ session: gate.session, signOut }}>
      <SignedInLayout />
    </SignedInContext.Provider>
  );
}
