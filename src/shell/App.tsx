import { lazy, Suspense, useEffect, useState } from 'react';
import { RouterProvider } from '@tanstack/react-router';
import { takeScreenCredentialFromPage } from '../features/display/take-screen-credential';
import { parseDisplayParams } from '../features/display/display-params';
import { SnapshotShown } from './SnapshotShown';
import { ReplayMarks } from './ReplayMarks';
import { createAppRouter } from './router';
import { loadRuntimeConfig, type RuntimeConfig } from '../common/runtime-config';

// Before config.json loads and before anything renders, so a wall screen's password leaves the address bar
// at once; once per page load, so React's double rendering in development cannot take it twice.
const displayScreen = isDisplayRoute() ? takeScreenCredentialFromPage() : null;

// A wall screen and a person's dashboard share no page: each loads only its own (npm run bench: initial JS).
const DisplayPage = lazy(() =>
  import('../features/display/DisplayPage').then((m) => ({ default: m.DisplayPage })),
);

// One router per page load, made once the configuration is known (React's double rendering in development
// must not make a second one, which would listen to the history too).
let router: ReturnType<typeof createAppRouter> | null = null;

export function App() {
  const [config, setConfig] = useState<RuntimeConfig | null>(null);

  useEffect(() => {
    void loadRuntimeConfig().then(setConfig);
  }, []);

  if (config === null) return null;
  if (displayScreen)
    return (
      <>
        <ReplayMarks />
        <SnapshotShown />
        <Suspense fallback={null}>
          <DisplayPage
            params={parseDisplayParams(location.search)}
            defaultServer={config.natsUrl}
            headerPrefix={config.headerPrefix}
            screen={displayScreen}
          />
        </Suspense>
      </>
    );
  router ??= createAppRouter(config);
  return <RouterProvider router={router} />;
}

/** Wall screens open `/display` (see display-params.ts); everything else is the interactive dashboard. */
function isDisplayRoute(): boolean {
  return location.pathname.replace(/\/+$/, '').endsWith('/display');
}
