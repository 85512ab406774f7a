// npm run test:browser: the built dist/userbeam.min.js in headless Chromium (test/browser/).
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/browser/preflight.ts'],
    // Generous but bounded: the slowest scenario (five backoffs with full jitter) sets its own.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // One Chromium at a time: two cores, and timing assertions (Retry-After) need a quiet machine.
    fileParallelism: false,
  },
})
