/** Assertions that the dashboard shows what the independent fold of e2e/support/expected.ts says. */
import { expect, type Page } from '@playwright/test';
import { DAY_MS, HOUR_MS, WEEK_MS } from '../../src/core/sales';
import { cell, salesCell, searchSales } from './app';
import {
  productTotal,
  shown,
  soldWithin,
  warehouseTotal,
  type ExpectedStock,
  type TimedEvent,
} from './expected';

/** Every cell of the given products in the warehouse on screen, their totals and the warehouse total. */
export async function expectWarehouseFigures(
  page: Page,
  stock: ExpectedStock,
  warehouse: string,
  products: readonly string[],
): Promise<void> {
  const held = stock.get(warehouse) ?? new Map<string, Map<string, number>>();
  const locations = new Set([...held.values()].flatMap((l) => [...l.keys()]));
  for (const product of products) {
    for (const location of locations) {
      const quantity = held.get(product)?.get(location);
      await expect(cell(page, product, location), `${product} at ${location}`).toHaveText(
        quantity === undefined ? '·' : shown(quantity),
      );
    }
    await expect(page.getByTestId(`total-${product}`), `total of ${product}`).toHaveText(
      shown(productTotal(stock, warehouse, product)),
    );
  }
  await expect(page.getByTestId('grand-total')).toHaveText(shown(warehouseTotal(stock, warehouse)));
  await expect(page.getByTestId('warehouse-total')).toHaveText(shown(warehouseTotal(stock, warehouse)));
}

const WINDOWS = { hour: HOUR_MS, day: DAY_MS, week: WEEK_MS } as const;

/** The marketing table's three windows for one product, found with its search (the marketing page must be open). */
export async function expectSales(page: Page, events: readonly TimedEvent[], product: string): Promise<void> {
  await searchSales(page, product);
  for (const [column, windowMs] of Object.entries(WINDOWS) as [keyof typeof WINDOWS, number][]) {
    // Test events sit minutes away from any window edge, so the clock moving on does not matter.
    await expect(salesCell(page, product, column), `${product} sold, ${column}`).toHaveText(
      shown(soldWithin(events, product, Date.now(), windowMs)),
    );
  }
  // Calendar weeks as the e2e browser counts them (en-US, UTC: from Sunday midnight), and the same span before.
  const now = Date.now();
  const day = new Date(now);
  const thisFrom = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() - day.getUTCDay());
  const lastFrom = thisFrom - WEEK_MS;
  const lastTo = lastFrom + (now - thisFrom);
  await expect(salesCell(page, product, 'thisWeek'), `${product} sold this week`).toHaveText(
    shown(soldWithin(events, product, now, now - thisFrom)),
  );
  await expect(salesCell(page, product, 'lastWeek'), `${product} sold last week`).toHaveText(
    new RegExp(`^${shown(soldWithin(events, product, lastTo, lastTo - lastFrom))}( \\(|$)`),
  );
}
