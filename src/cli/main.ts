/**
 * The entry bin/run.js imports after its own checks. The build bundles it with the commands (scripts/bundle.ts), so
 * the runner and the commands share one copy of @oclif/core.
 */
export {execute} from '@oclif/core'
