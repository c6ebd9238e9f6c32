#!/usr/bin/env node
// Runs the TypeScript sources directly (no build), for development. The manifest describes the build; ignore it.
// tsx is registered from here rather than with `node --import tsx` in the shebang: tsx's module lexer then parses
// this file too and fails on the shebang line.
import {register} from 'tsx/esm/api'

register()
const {execute} = await import('@oclif/core')
await execute({
  development: true,
  dir: import.meta.url,
  loadOptions: {root: new URL('..', import.meta.url).pathname, ignoreManifest: true},
})
