import { useState } from 'react';

/**
 * A choice that survives switching pages and reloading the tab, but not the browser session: the warehouse a
 * manager picked should still be picked when they come back from another page.
 */
export function useSessionState(key: string): [string | null, (value: string) => void] {
  const [value, setValue] = useState<string | null>(() => sessionStorage.getItem(key));
  const set = (next: string) => {
    keepForSession(key, next);
    setValue(next);
  };
  return [value, set];
}

/** The same choice made elsewhere (an address that names it): the next `useSessionState(key)` starts from it. */
export function keepForSession(key: string, value: string): void {
  sessionStorage.setItem(key, value);
}
