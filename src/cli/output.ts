import {Chalk, type ChalkInstance} from 'chalk'

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colorFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== ''
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0'
  const level = noColor ? 0 : forced || (stream.isTTY && env.TERM !== 'dumb') ? 1 : 0
  return new Chalk({level})
}

export const stdoutColor = (): ChalkInstance => colorFor(process.stdout)
export const stderrColor = (): ChalkInstance => colorFor(process.stderr)
