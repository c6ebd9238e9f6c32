// Runs the CLI's own port-forward (src/lib/kube/port-forward.ts, what `connect` uses) for the throughput bench:
// tsx bench/forward.ts KUBECONFIG NAMESPACE LABEL_SELECTOR REMOTE_PORT; prints the local port, runs until SIGTERM.
import {connectKube} from '../src/lib/kube/client.js'
import {startPortForward} from '../src/lib/kube/port-forward.js'

const [kubeconfig, namespace, labelSelector, remotePort] = process.argv.slice(2)
if (!kubeconfig || !namespace || !labelSelector || !remotePort)
  throw new Error('usage: forward.ts KUBECONFIG NS SELECTOR PORT')
const client = await connectKube({kubeconfig})
const forward = await startPortForward({
  client,
  namespace,
  labelSelector,
  remotePort: Number(remotePort),
  podWaitMs: 30_000,
})
process.stdout.write(`${forward.port}\n`)
process.on(
  'SIGTERM',
  () =>
    void forward.close().then(() => {
      client.close()
      process.exit(0)
    }),
)
