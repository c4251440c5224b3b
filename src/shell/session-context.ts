/** The signed-in person, for the pages under the router; the sign-in gate provides it. */
import { createContext, useContext } from 'react';
import type { Session } from '../common/session';

export interface SignedIn {
  session: Session;
  signOut: () => void;
}

export const SignedInContext = createContext<SignedIn | null>(null);

export function useSignedIn(): SignedIn {
  const value = useContext(SignedInContext);
  if (!value) throw new Error('useSignedIn outside the sign-in gate');
  return value;
}
