#!/usr/bin/env -S node --import tsx
// Runs the TypeScript sources directly (no build), for development. The manifest describes the build; ignore it.
const {execute} = await import('@oclif/core')
await execute({development: true, dir: import.meta.url, loadOptions: {root: new URL('..', import.meta.url).pathname, ignoreManifest: true}})
