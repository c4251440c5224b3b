/**
 * Calendar weeks as the person's browser counts them (docs/architecture.md#sales-windows): a week starts on the
 * locale's first day (Monday in most of Europe, Sunday in the United States), at local midnight.
 */

interface WeekInfoLocale extends Intl.Locale {
  getWeekInfo?: () => { firstDay: number };
  weekInfo?: { firstDay: number };
}

/** 1 = Monday … 7 = Sunday, as `Intl.Locale` says it; ISO's Monday where the browser cannot say. */
export function firstDayOfWeek(locale: string | undefined): number {
  try {
    const info = new Intl.Locale(
      locale ?? new Intl.NumberFormat().resolvedOptions().locale,
    ) as WeekInfoLocale;
    const day = info.getWeekInfo?.().firstDay ?? info.weekInfo?.firstDay;
    return day !== undefined && day >= 1 && day <= 7 ? day : 1;
  } catch {
    return 1;
  }
}

/** Local midnight starting the calendar week that holds `ms`. */
export function weekStart(ms: number, firstDay: number): number {
  const day = new Date(ms);
  day.setHours(0, 0, 0, 0);
  const weekday = day.getDay() === 0 ? 7 : day.getDay();
  day.setDate(day.getDate() - ((weekday - firstDay + 7) % 7));
  return day.getTime();
}

export interface WeekSpans {
  /** This week so far: (thisFromMs, nowMs]. */
  thisFromMs: number;
  /** The same span of the week before, by the calendar (a daylight-saving change moves it by an hour). */
  lastFromMs: number;
  lastToMs: number;
}

export function weekSpans(nowMs: number, firstDay: number): WeekSpans {
  const thisFromMs = weekStart(nowMs, firstDay);
  const before = new Date(thisFromMs);
  before.setDate(before.getDate() - 7);
  const lastFromMs = before.getTime();
  return { thisFromMs, lastFromMs, lastToMs: lastFromMs + (nowMs - thisFromMs) };
}
