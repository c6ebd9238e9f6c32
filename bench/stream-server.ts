// The port-forward target for the throughput bench: an HTTP server on 127.0.0.1 that answers every request with
// BENCH_STREAM_MIB MiB (default 200) of zeros, honouring backpressure. Prints its port on stdout.
import {createServer} from 'node:http'

const mib = Number(process.env.BENCH_STREAM_MIB ?? 200)
const chunk = Buffer.alloc(1 << 20)

const server = createServer((_req, res) => {
  res.writeHead(200, {'content-type': 'application/octet-stream', 'content-length': String(mib * chunk.length)})
  let left = mib
  const pump = (): void => {
    while (left > 0) {
      left--
      if (!res.write(chunk)) return void res.once('drain', pump)
    }
    res.end()
  }
  pump()
})
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`)
})
process.on('SIGTERM', () => process.exit(0))
