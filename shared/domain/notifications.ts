/**
 * Rules of mobile push and e-mail notifications (API.md §6).
 *
 * Rate limit: a mobile server may send at most NOTIFICATIONS_PER_WINDOW notifications in a fixed
 * window of NOTIFICATION_WINDOW_SECONDS; beyond that the API answers 429 rate_limited, and the
 * mobile server sends one summary notification once the window has passed.
 */
export const NOTIFICATIONS_PER_WINDOW = 30;
export const NOTIFICATION_WINDOW_SECONDS = 60;

/** Push devices one mobile server may register (bounds the fan-out of one notification). */
export const MAX_PUSH_DEVICES_PER_MOBILE_SERVER = 1000;

/**
 * Mobile servers one installation may register. With at most 1,000 push devices and 100 e-mail
 * addresses each, an installation holds at most 20,000 push devices and 2,000 addresses.
 */
export const MAX_MOBILE_SERVERS_PER_INSTALLATION = 20;

/** Notification records are kept 30 days, then DynamoDB's TTL removes them. */
export const NOTIFICATION_RETENTION_SECONDS = 30 * 24 * 3600;

export interface RateWindow {
  /** Epoch seconds at which the window started. */
  windowStart: number;
  /** Epoch seconds at which the next window starts. */
  windowEnd: number;
  /** When the counter item may be removed (well after the window, so a late write cannot reset it). */
  expiresAt: number;
}

/** The fixed rate-limit window that `now` falls in. */
export function rateWindow(now: Date, windowSeconds: number = NOTIFICATION_WINDOW_SECONDS): RateWindow {
  const seconds = Math.floor(now.getTime() / 1000);
  const windowStart = seconds - (seconds % windowSeconds);
  const windowEnd = windowStart + windowSeconds;
  return { windowStart, windowEnd, expiresAt: windowEnd + 3600 };
}

/** Seconds until a refused sender may try again. */
export function retryAfterSeconds(now: Date, window: RateWindow): number {
  return Math.max(1, Math.ceil(window.windowEnd - now.getTime() / 1000));
}
