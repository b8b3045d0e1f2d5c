// The dashboard's browser tests: @playwright/test driving Debian's chromium (no downloaded browser).
// Run by tests/e2e/run.sh, which starts the seeded server and sets E2E_BASE, E2E_USERS, E2E_DSN and
// E2E_ARTIFACTS. One spec file per page in specs/; traces and screenshots of failures go to
// tests/e2e/results/ (git-ignored): `npx playwright show-trace tests/e2e/results/<test>/trace.zip`.
import { defineConfig } from '@playwright/test';

const here = new URL('.', import.meta.url).pathname;
export default defineConfig({
  testDir: `${here}specs`,
  outputDir: process.env.E2E_RESULTS ?? `${here}results`,
  globalSetup: `${here}global-setup.mjs`,
  workers: 1, // two cores, shared: one browser at a time
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    baseURL: process.env.E2E_BASE,
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    acceptDownloads: true,
    actionTimeout: 15_000,
    navigationTimeout: 15_000,
    // Traces of failed tests: DOM snapshots, network and console of every step; no screencast
    // (recording one doubled the run's time on two cores; failures still get a screenshot).
    // E2E_TRACE=on|off|retain-on-failure|on-first-retry overrides the mode (`on` with the screencast).
    trace: process.env.E2E_TRACE ? { mode: process.env.E2E_TRACE, screenshots: process.env.E2E_TRACE === 'on', snapshots: true }
      : { mode: 'retain-on-failure', screenshots: false, snapshots: true },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    },
  },
});
