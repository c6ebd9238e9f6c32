/**
 * The one progress contract between operations in lib and the CLI: an operation reports what it is doing as these
 * events and never writes anything itself; `src/cli/progress.ts` renders them, in one place, on stderr (a spinner on
 * a terminal, plain lines in CI or a pipe, nothing but warnings under `--json`/`-o json|yaml`).
 *
 * - `step`: work of ours is under way ("applying objects (3/10)"); it replaces the current step.
 * - `wait`: waiting on the cluster ("waiting for vCluster demo to be ready"); as `step`, and a terminal shows how
 *   long it has been waiting.
 * - `done`: something finished ("applied 10 objects", "pod demo-0 scheduled on node-1"): kept on screen, and it ends
 *   the current step. An operation that goes on waiting reports its `wait` again; a log prints a step only when its
 *   text changes, so that costs no line.
 * - `warn`: something a person should know while the operation goes on (a container in ImagePullBackOff, a lost
 *   watch); it ends the current step like `done`. Shown even under `--json`.
 */
export type ProgressEvent =
  | {kind: 'step'; message: string}
  | {kind: 'wait'; message: string}
  | {kind: 'done'; message: string}
  | {kind: 'warn'; message: string}

/** Where an operation sends its progress; optional everywhere (tests and library callers may pass none). */
export type ProgressSink = (event: ProgressEvent) => void

/** A sink that drops everything, for callers that want no progress. */
export const noProgress: ProgressSink = () => {}

/** `ready after 12.3s`: how long a wait took, in the one format every operation uses. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`
}
