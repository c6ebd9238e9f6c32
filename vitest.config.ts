import {defineConfig} from 'vitest/config'

// Three projects: unit tests need nothing; conformance tests compare our config handling and manifests with the
// pinned upstream release's own code (built by test/upstream/global-setup.ts); integration tests run against the
// real local host cluster that test/cluster/global-setup.ts builds (or reuses) and always tears down.

// In unit and conformance tests a timeout catches a hang; it does not measure the machine (speed is bench/'s, never
// an assertion). So one bound per project, here and not per test, far above the slowest test on a loaded machine:
// unit tests take at most ~15 s on a quiet 2-core machine and ~2 min under `npm run test:stress` with other suites
// running (load 28); a conformance run of the upstream oracle takes minutes there. Hooks get the same bound.
const UNIT_HANG_MS = 300_000
const CONFORMANCE_HANG_MS = 1_200_000
// Integration tests wait on the CLI, whose own --timeout bounds every wait (5 min by default); the slowest test
// (the diagnosis, which waits out create's --timeout on a crash-looping vCluster) takes ~80 s under stress-ng. One
// bound for every test and hook, as above.
const INTEGRATION_HANG_MS = 600_000

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', 'test/conformance/**', 'node_modules/**'],
          testTimeout: UNIT_HANG_MS,
          hookTimeout: UNIT_HANG_MS,
        },
      },
      {
        test: {
          name: 'conformance',
          include: ['test/conformance/**/*.test.ts'],
          globalSetup: ['test/upstream/global-setup.ts'],
          testTimeout: CONFORMANCE_HANG_MS,
          hookTimeout: CONFORMANCE_HANG_MS,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/cluster/global-setup.ts'],
          testTimeout: INTEGRATION_HANG_MS,
          hookTimeout: INTEGRATION_HANG_MS,
          fileParallelism: false,
        },
      },
    ],
  },
})
