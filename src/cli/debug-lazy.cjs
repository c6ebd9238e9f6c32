// Stands in for the `debug` package in the bundle (scripts/bundle.ts aliases it here): oclif creates its loggers at
// start-up and loading `debug` costs several ms on every run, though it prints only when DEBUG is set. With DEBUG
// set, this is the real package.
'use strict'
const name = 'debug' // not a literal in require(), so the bundler leaves it to Node
function off() {
  const log = () => {}
  log.enabled = false
  log.extend = off
  return log
}
module.exports = process.env.DEBUG ? require(name) : off
