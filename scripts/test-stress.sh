#!/usr/bin/env bash
# npm run test:stress [-- VITEST ARGS]: the test command while a CPU hog keeps every core busy (issue 14: CI runs on
# shared, loaded machines; a suite that fails under load fails submissions at random).
#
#   RUNS=3 npm run test:stress                      # the full `npm test` three times in a row, each run's time
#   npm run test:stress -- --project unit           # extra arguments go to vitest (as `npm test -- ARGS`)
#   STRESS_CPUS=4 npm run test:stress               # hog workers (default: 2, both cores of the reference machine)
#
# Installs Debian's stress-ng when missing (apt-get, as root or through sudo). The hog always stops: on success, on
# a failing run, and on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${RUNS:-1}"
cpus="${STRESS_CPUS:-2}"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive whole number, not '$runs'" >&2; exit 2; }
[[ "$cpus" =~ ^[1-9][0-9]*$ ]] || { echo "STRESS_CPUS must be a positive whole number, not '$cpus'" >&2; exit 2; }

if ! command -v stress-ng >/dev/null; then
  echo "test:stress: installing stress-ng (apt-get)" >&2
  sudo=()
  [[ "$(id -u)" == 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq stress-ng >/dev/null
fi

# Its own process group, so stopping it stops every worker it forked.
setsid stress-ng --cpu "$cpus" --quiet &
hog=$!
stop_hog() {
  kill -TERM -- "-$hog" 2>/dev/null || kill -TERM "$hog" 2>/dev/null || true
  wait "$hog" 2>/dev/null || true
}
trap stop_hog EXIT
trap 'exit 130' INT TERM HUP
sleep 1
kill -0 "$hog" 2>/dev/null || { echo "test:stress: stress-ng did not start" >&2; exit 1; }
echo "test:stress: stress-ng --cpu $cpus running (pid $hog); $runs run(s) of: npm test${*:+ -- $*}" >&2

failed=0
times=()
for ((i = 1; i <= runs; i++)); do
  started=$(date +%s%N)
  status=0
  npm test -- "$@" || status=$?
  took_ms=$((($(date +%s%N) - started) / 1000000))
  times+=("run $i: $((took_ms / 1000)).$(printf '%03d' $((took_ms % 1000)) | cut -c1) s, exit $status")
  echo "test:stress: ${times[-1]} (load average: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  [[ $status == 0 ]] || failed=$((failed + 1))
done

echo "test:stress: under stress-ng --cpu $cpus:" >&2
printf '  %s\n' "${times[@]}" >&2
echo "test:stress: $((runs - failed)) of $runs passed" >&2
[[ $failed == 0 ]]
