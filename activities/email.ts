import type { Platform } from '../lib/platform.ts';

/** sendEmail's activities (filled in by the email work). */
export function createEmailActivities(_platform: Platform): { close?(): Promise<void> } {
  return {};
}
