/**
 * Debian's Chromium for the browser tests (through playwright-core): where it is, whether a test
 * file runs or skips (saying so), and one way to launch it.
 * @module
 */
import { existsSync } from 'node:fs';
import { test } from 'uvu';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Whether Chromium is installed here. */
export const available: boolean = existsSync(CHROMIUM);

/** A launched Chromium. */
export type Browser = Awaited<ReturnType<typeof import('playwright-core')['chromium']['launch']>>;

/**
 * `test` when Chromium is installed or required (`SIT_REQUIRE_BROWSER=1`), else `test.skip`, after
 * saying on standard error that `file` is skipped and why.
 */
export function browserTest(file: string): typeof test | typeof test.skip {
  const required = process.env['SIT_REQUIRE_BROWSER'] === '1';
  if (!available && !required) {
    process.stderr.write(
      `${file}: skipped, ${CHROMIUM} is not installed (set SIT_REQUIRE_BROWSER=1 to fail instead)\n`,
    );
  }
  return available || required ? test : test.skip;
}

/** Launches Chromium headless, quiet (no network of its own, no first-run work). */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}
