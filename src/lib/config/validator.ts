import {createRequire} from 'node:module'
import type {ErrorObject, Options, ValidateFunction} from 'ajv'
import {configSchema} from './schema/index.js'

// No `verbose`: it would triple the generated validator; schema-errors.ts looks the nodes up by pointer instead.
export const AJV_OPTIONS: Options = {allErrors: true, strict: true}

const require = createRequire(import.meta.url)
let compiled: ValidateFunction | undefined

/**
 * The validator precompiled at build time (dist/validate-schema.cjs, by scripts/write-validator.ts; this module is
 * bundled into dist/chunks/, hence `..`) when present; else compiled now, which costs about 0.7 s (running from
 * source, in tests).
 */
function loadValidator(): ValidateFunction {
  try {
    return require('../validate-schema.cjs') as ValidateFunction
  } catch {
    const {Ajv2020} = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')
    return new Ajv2020(AJV_OPTIONS).compile(configSchema)
  }
}

/** Validates values against the config schema and returns every error (an empty list when valid). */
export function validateAgainstSchema(values: unknown): ErrorObject[] {
  compiled ??= loadValidator()
  return compiled(values) ? [] : [...(compiled.errors ?? [])]
}
