import { startTransition, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useRouteContext } from '@tanstack/react-router';
import { SignInPage } from '../features/signin/SignInPage';
import { useEngine } from '../common/engine-context';
import type { Session } from '../common/session';
import { SignedInContext } from './session-context';
import { SignedInLayout } from './SignedInLayout';

/**
 * The root of every address: the sign-in page until someone is signed in, then the page the address names.
 * The address is left as it is meanwhile, so a link opened before signing in is where the sign-in lands.
 */
export function SessionGate() {
  const engine = useEngine();
  const queryClient = useQueryClient();
  const { config } = useRouteContext({ from: '__root__' });
  const [session, setSession] = useState<Session | null>(null);

  if (!session) {
    return (
      <SignInPage
        defaultServer={config.natsUrl}
        headerPrefix={config.headerPrefix}
        onSignedIn={(next) =>
          // Mounting the whole dashboard is the biggest render there is: as a transition React slices it, so
          // the page stays responsive while the replay starts (npm run bench: longest main-thread task, cold
          // replay).
          startTransition(() => setSession(next))
        }
      />
    );
  }
  const signOut = () => {
    engine.disconnect();
    queryClient.clear();
    setSession(null);
  };
  return (
    <SignedInContext.Provider value={{ session, signOut }}>
      <SignedInLayout />
    </SignedInContext.Provider>
  );
}
