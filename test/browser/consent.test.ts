// Scenario 11: consent(false) from a consent banner that reloads or redirects at once. The
// decision must be on disk before the page goes, or the next page would send again.
import { describe, expect, it } from 'vitest'
import { flush, identify, open, sdkPage, useBrowser } from './harness'

const env = useBrowser()

describe('consent in Chromium', () => {
  it('11: consent(false) then a redirect in the same task, five times: the next page sends nothing', async () => {
    for (let visit = 0; visit < 5; visit++) {
      const context = await env.context()
      const next = sdkPage(env.server, `/next11-${visit}.html`, { flushInterval: 20 })
      const { page } = await open(context, sdkPage(env.server, `/banner11-${visit}.html`, { flushInterval: 20 }))
      await identify(page, 'u-11', { plan: 'pro' })
      await flush(page)
      const left = page.waitForURL(next)
      await page
        .evaluate((url) => {
          window.userbeam.consent(false) // the banner's Reject...
          location.href = url // ...which reloads the page
        }, next)
        .catch(() => {}) // the navigation may destroy the evaluation's context first
      await left
      await page.evaluate(() => window.userbeam.user.push({ afterWithdrawal: 1 }))
      await flush(page)
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(env.server.arrivals.filter((a) => JSON.stringify(a.body).includes('afterWithdrawal')), `visit ${visit}`).toEqual([])
    }
  })
})
