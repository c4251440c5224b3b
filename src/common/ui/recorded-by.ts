/**
 * Who recorded an event, as the trail, the event log and their exports show it. The user header is what the
 * publishing client claims; the server checked only that this user may publish there
 * (docs/architecture.md#who-did-it), so every place says so on hover.
 */
export const RECORDED_BY_NOTE =
  'As the publishing program says: the server checked only that this user may publish in this warehouse.';

export function recordedBy(user: string | null): string {
  return user ?? 'not recorded';
}
