import type {ErrorObject, ValidateFunction} from 'ajv'
import {Ajv2020} from 'ajv/dist/2020.js'
import {configSchema} from './schema/index.js'

let compiled: ValidateFunction | undefined

/** Validates values against the config schema and returns every error (an empty list when valid). */
export function validateAgainstSchema(values: unknown): ErrorObject[] {
  compiled ??= new Ajv2020({allErrors: true, strict: true, verbose: true}).compile(configSchema)
  return compiled(values) ? [] : [...(compiled.errors ?? [])]
}
