import { takeScreenCredential, type CredentialStore, type TakenCredential } from './screen-credential';

/**
 * Takes this page's credential out of the address (see screen-credential.ts). Once per page load, before
 * anything renders: the password should leave the address bar before the page does anything that takes time.
 */
export function takeScreenCredentialFromPage(): TakenCredential {
  const taken = takeScreenCredential(location.href, deviceStorage());
  if (taken.cleanUrl !== null) history.replaceState(history.state, '', taken.cleanUrl);
  return taken;
}

function deviceStorage(): CredentialStore | null {
  try {
    // Reading the property itself throws where the user has blocked site data.
    return window.localStorage;
  } catch {
    return null;
  }
}
