/**
 * The entry bin/run.js imports after its own checks. The build bundles it with the commands (scripts/bundle.ts), so
 * the runner and the commands share one copy of @oclif/core.
 */
import {settings} from '@oclif/core'

// We always run the bundle. With NODE_ENV=development or test, oclif would otherwise look for tsx and a tsconfig
// beside the package and load TypeScript sources (slower, and tsx opens an IPC socket).
settings.enableAutoTranspile = false

export {execute} from '@oclif/core'
