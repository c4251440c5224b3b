/// <reference lib="webworker" />
/**
 * The engine: a Web Worker that owns the page's NATS connection (docs/architecture.md#dashboard). This file
 * only routes the page's messages (protocol.ts) to the session signed in (engine-session.ts), which does the
 * work; the session is the only state kept here, so signing out or in again cannot leave anything behind.
 */
import { handleAuditRequest } from './audit-port';
import { EngineSession } from './engine-session';
import { handleEventLogRequest } from './event-log-port';
import type { Credentials, FromEngine, ToEngine } from './protocol';
import { headerNames, type HeaderNames } from '../core/events';
import { NO_INTEREST, type ViewInterest } from '../core/view-interest';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: FromEngine) => scope.postMessage(message);

let session: EngineSession | null = null;
/** Kept across sign-ins: the pages on screen stay the same. */
let interest: ViewInterest = NO_INTEREST;

scope.onmessage = (event: MessageEvent<ToEngine>) => {
  const message = event.data;
  switch (message.type) {
    case 'audit-trail':
      void handleAuditRequest(session, message, post);
      break;
    case 'event-log':
      void handleEventLogRequest(session, message, post);
      break;
    case 'connect':
      void signIn(message.credentials, headerNames(message.headerPrefix));
      break;
    case 'disconnect':
      void signOut();
      break;
    case 'publish':
      void (
        session?.publish(message.command) ??
        Promise.resolve({ ok: false as const, kind: 'offline' as const, message: 'Not signed in.' })
      ).then((outcome) => post({ type: 'publish-result', requestId: message.requestId, outcome }));
      break;
    case 'time-travel':
      session?.timeTravel(message.atMs);
      break;
    case 'play':
      session?.play(message.speed);
      break;
    case 'rebuild':
      session?.rebuild();
      break;
    case 'snapshot-shown':
      session?.snapshotShown();
      break;
    case 'snapshot-lost':
      session?.snapshotLost();
      break;
    case 'interest':
      interest = message.interest;
      session?.setInterest(interest);
      break;
    case 'set-threshold':
      void (
        session?.setThreshold(message.key, message.threshold) ??
        Promise.resolve({ ok: false as const, message: 'Not signed in.' })
      ).then((outcome) => post({ type: 'threshold-result', requestId: message.requestId, outcome }));
      break;
  }
};

async function signIn(credentials: Credentials, names: HeaderNames): Promise<void> {
  await endSession();
  const opened = await EngineSession.open(credentials, names, post);
  if (!opened) return;
  // Another sign-in may have finished while this one connected: only the latest may stay open.
  await endSession();
  session = opened;
  opened.setInterest(interest);
  opened.start();
}

/** Signing out also removes the saved views: the next person at this browser must sign in to see them. */
async function signOut(): Promise<void> {
  await session?.forgetSavedFold();
  await endSession();
}

async function endSession(): Promise<void> {
  const ending = session;
  session = null;
  await ending?.close();
}
