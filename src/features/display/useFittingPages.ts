import { useEffect, useLayoutEffect, useState, type RefObject } from 'react';
import { countFitting, pageOf, type PageOf } from './fitting-pages';

/** Enough to fill any screen once, so a measuring render stays small whatever the warehouse holds. */
const MEASURE_AT_MOST = 400;

type Fit =
  | { stage: 'measure-normal' }
  | { stage: 'measure-compact' }
  | { stage: 'fitted'; compact: boolean; perPage: number };

export type FittingPages<T> = PageOf<T> & { compact: boolean };

/**
 * Pages of `items` that fit `box`, turning every `turnMs`: first at the normal size, then smaller (`compact`)
 * when the normal size does not hold them all, then in pages of what the smaller size holds. Measured by
 * rendering once at each size, and again whenever the box changes size. The box's children must be the items,
 * and the box their offset parent (position: relative).
 */
export function useFittingPages<T>(
  items: readonly T[],
  box: RefObject<HTMLElement | null>,
  turnMs: number,
): FittingPages<T> {
  const [measured, setMeasured] = useState<Fit & { count: number }>({
    stage: 'measure-normal',
    count: items.length,
  });
  // A list that grows or shrinks may fit differently: measure again from the normal size.
  const fit: Fit = measured.count === items.length ? measured : { stage: 'measure-normal' };
  const [turn, setTurn] = useState(0);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setMeasured({ stage: 'measure-normal', count: items.length }));
    observer.observe(element);
    return () => observer.disconnect();
  }, [box, items.length]);

  useLayoutEffect(() => {
    const element = box.current;
    if (fit.stage === 'fitted' || !element) return;
    // Measured in a task of its own (reading offsets lays the render out first); a frame callback would wait
    // for a screen that is not being painted, such as a page in the background.
    const timer = setTimeout(() => {
      const bottoms = [...element.children].map((child) => {
        const item = child as HTMLElement;
        return item.offsetTop + item.offsetHeight;
      });
      const fitting = countFitting(bottoms, element.clientHeight);
      const count = items.length;
      if (fit.stage === 'measure-normal' && fitting < Math.min(count, MEASURE_AT_MOST)) {
        setMeasured({ stage: 'measure-compact', count });
      } else {
        setMeasured({ stage: 'fitted', compact: fit.stage === 'measure-compact', perPage: fitting, count });
      }
    }, 0);
    return () => clearTimeout(timer);
  }, [fit.stage, items.length, box]);

  const pages = fit.stage === 'fitted' ? Math.ceil(items.length / fit.perPage) : 1;
  useEffect(() => {
    if (pages <= 1) return;
    const timer = setInterval(() => setTurn((t) => t + 1), turnMs);
    return () => clearInterval(timer);
  }, [pages, turnMs]);

  if (fit.stage !== 'fitted') {
    return {
      shown: items.slice(0, MEASURE_AT_MOST),
      page: 0,
      pages: 1,
      compact: fit.stage === 'measure-compact',
    };
  }
  return { ...pageOf(items, fit.perPage, turn), compact: fit.compact };
}
