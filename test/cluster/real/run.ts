// Runs the real vCluster for one pod in the foreground, for people and for the crash test:
//   node --import tsx test/cluster/real/run.ts --kubeconfig K --namespace NS --pod POD --dir STATE --bin RIG_BIN
//     [--real-bin DIR]   (default: the output of real/build.sh)
// Prints one JSON line {"pid", "port", "log"} once started; SIGTERM/SIGINT stop it (grace period of the pod).
// Exits with the sandbox's exit code when it ends by itself.
import {CoreV1Api, KubeConfig} from '@kubernetes/client-node'
import {parseArgs} from 'node:util'
import {ensureRealBinaries} from './build.js'
import {RealVcluster} from './sandbox.js'

const {values} = parseArgs({
  options: {
    kubeconfig: {type: 'string'},
    namespace: {type: 'string'},
    pod: {type: 'string'},
    dir: {type: 'string'},
    bin: {type: 'string'},
    'real-bin': {type: 'string'},
  },
})

async function main(): Promise<void> {
  const {kubeconfig, namespace, pod: name, dir, bin} = values
  if (!kubeconfig || !namespace || !name || !dir || !bin) {
    throw new Error('usage: run.ts --kubeconfig K --namespace NS --pod POD --dir STATE --bin RIG_BIN [--real-bin DIR]')
  }
  const kc = new KubeConfig()
  kc.loadFromFile(kubeconfig)
  const realBinDir = values['real-bin'] ?? (await ensureRealBinaries((l) => process.stderr.write(`${l}\n`)))
  const pod = await kc.makeApiClient(CoreV1Api).readNamespacedPod({name, namespace})
  const log = (l: string) => process.stderr.write(`${l}\n`)
  const vc = await RealVcluster.start(
    pod,
    {kc, server: kc.getCurrentCluster()?.server ?? '', binDir: bin, realBinDir},
    dir,
    {log},
  )
  process.stdout.write(`${JSON.stringify({pid: vc.pid, port: vc.port, log: vc.logFile})}\n`)
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => void vc.stop().then(() => process.exit(0)))
  process.exit((await vc.exited) ?? 1)
}

main().catch((error: unknown) => {
  process.stderr.write(`run.ts: ${(error as Error).message}\n`)
  process.exit(1)
})
