import { useState } from 'react';

/**
 * A choice that survives switching pages and reloading the tab, but not the browser session: the warehouse a
 * manager picked should still be picked when they come back from another page.
 */
export function useSessionState(key: string): [string | null, (value: string) => void] {
  const [value, setValue] = useState<string | null>(() => sessionStorage.getItem(key));
  const set = (next: string) => {
    sessionStorage.setItem(key, next);
    setValue(next);
  };
  return [value, set];
}
