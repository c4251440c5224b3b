import { useNotice } from '../engine-queries';
import { formatTime } from './format';
import { useNow } from './useNow';

/** How long the engine's latest remark (a retry, a rebuilt view) stays on screen. */
const SHOW_FOR_MS = 30_000;

export function NoticeBar() {
  const notice = useNotice();
  const now = useNow(5000);
  if (!notice || now - notice.atMs > SHOW_FOR_MS) return null;
  return (
    <div className={`banner notice-${notice.level}`} role="status" data-testid="engine-notice">
      {formatTime(notice.atMs)} · {notice.message}
    </div>
  );
}
