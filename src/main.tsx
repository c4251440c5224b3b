import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClientProvider } from '@tanstack/react-query';
import { App } from './shell/App';
import { EngineClient } from './engine/client';
import { bindEngineToQueries, createQueryClient } from './common/engine-queries';
import { EngineContext } from './common/engine-context';
import './shell/styles.css';

// One engine (connection) and one QueryClient per page, created once outside React
// (docs/architecture.md#one-engine-per-page).
const engine = new EngineClient();
const queryClient = createQueryClient();
bindEngineToQueries(engine, queryClient);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <EngineContext.Provider value={engine}>
        <App />
      </EngineContext.Provider>
    </QueryClientProvider>
  </StrictMode>,
);
