import {defineConfig} from 'vitest/config'

// Three projects: unit tests need nothing; conformance tests compare our config handling and manifests with the
// pinned upstream release's own code (built by test/upstream/global-setup.ts); integration tests run against the
// real local host cluster that test/cluster/global-setup.ts builds (or reuses) and always tears down.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', 'test/conformance/**', 'node_modules/**'],
        },
      },
      {
        test: {
          name: 'conformance',
          include: ['test/conformance/**/*.test.ts'],
          globalSetup: ['test/upstream/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 900_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/cluster/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
