// Calendar-aligned UTC windows for usd/tokens budgets: a "day" budget resets at 00:00 UTC,
// a "week" budget on Monday 00:00 UTC (ISO weeks), a "month" budget on the 1st, whichever
// process or machine asks.

import type { BudgetPeriod } from '../policy/types.js';

export interface WindowBounds {
  start: number;
  end: number;
}

export function windowBounds(per: BudgetPeriod, now: number): WindowBounds {
  switch (per) {
    case 'minute': {
      const start = Math.floor(now / 60_000) * 60_000;
      return { start, end: start + 60_000 };
    }
    case 'hour': {
      const start = Math.floor(now / 3_600_000) * 3_600_000;
      return { start, end: start + 3_600_000 };
    }
    case 'day': {
      const d = new Date(now);
      const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      return { start, end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) };
    }
    case 'week': {
      const d = new Date(now);
      // getUTCDay: Sunday 0 .. Saturday 6; days since Monday is (day + 6) % 7.
      const monday = d.getUTCDate() - ((d.getUTCDay() + 6) % 7);
      return { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), monday), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), monday + 7) };
    }
    case 'month': {
      const d = new Date(now);
      return { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
    }
  }
}

/** A compact, sortable label for a window start, used inside counter keys. */
export function windowLabel(per: BudgetPeriod, start: number): string {
  const iso = new Date(start).toISOString();
  switch (per) {
    case 'minute':
      return iso.slice(0, 16);
    case 'hour':
      return iso.slice(0, 13);
    case 'day':
      return iso.slice(0, 10);
    case 'week':
      // The Monday's date, marked so it can never equal a day window's label.
      return `w${iso.slice(0, 10)}`;
    case 'month':
      return iso.slice(0, 7);
  }
}
