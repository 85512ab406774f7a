/**
 * Headless Chromium through playwright-core, using the system's chromium (Debian's package):
 * `npx playwright install` needs a download this project does not rely on.
 */
import { execSync } from 'node:child_process'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

/** `command -v chromium`, else Debian's path. */
export function chromiumPath(): string {
  try {
    return execSync('command -v chromium', { shell: '/bin/sh', stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || '/usr/bin/chromium'
  } catch {
    return '/usr/bin/chromium'
  }
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
}

/** A page and what it said: console warnings and errors, uncaught exceptions. */
export interface Tab {
  page: Page
  warnings: string[]
  consoleErrors: string[]
  pageErrors: string[]
}

/** Opens `url` in a new page of `context`, listening to the console before the first script runs. */
export async function open(context: BrowserContext, url: string): Promise<Tab> {
  const page = await context.newPage()
  const tab: Tab = { page, warnings: [], consoleErrors: [], pageErrors: [] }
  page.on('console', (m) => {
    if (m.type() === 'warning') tab.warnings.push(m.text())
    if (m.type() === 'error') tab.consoleErrors.push(m.text())
  })
  page.on('pageerror', (e) => tab.pageErrors.push(String(e)))
  await page.goto(url)
  return tab
}

/**
 * Closes within `ms`. Chromium can acknowledge a close that races a navigation commit and never
 * finish it (microsoft/playwright#42366); a test must not hang on that. The browser itself is
 * closed at the end of the file, taking anything left with it.
 */
export async function closeWithin(target: { close(): Promise<void> }, ms = 5000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))
  await Promise.race([target.close().catch(() => {}), late])
  clearTimeout(timer)
}
