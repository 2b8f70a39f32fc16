#!/usr/bin/env bash
# Throughput of mockcloud against a bare hyper server built and measured in the same run (the machine is shared
# and noisy, so only the ratio means anything). Drives load with wrk on:
#   1. bare hyper (examples/bare_hyper.rs), a fixed JSON body;
#   2. mockcloud, a stored-resource GET (ZStack image by uuid, with a session, through auth, store, journal);
#   3. mockcloud, GET /_mockcloud/health.
# Usage: bench/run.sh [seconds per run, default 10] [connections, default 32]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-32}
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
cargo build --release --locked --bin mockcloud --example bare_hyper 2>&1 | tail -1
bare_port=18991
mc_port=18990
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
target/release/examples/bare_hyper "127.0.0.1:$bare_port" & pids+=($!)
# Logs go to /dev/null, as in a CI job that does not keep them; the per-request line is still formatted.
target/release/mockcloud serve --listen "127.0.0.1:$mc_port" --seed 1 >/dev/null 2>&1 & pids+=($!)
for _ in $(seq 100); do
  target/release/mockcloud health --url "http://127.0.0.1:$mc_port" 2>/dev/null && break
  sleep 0.05
done
pw=$(printf %s password | sha512sum | cut -d' ' -f1)
session=$(curl -sf -X PUT "http://127.0.0.1:$mc_port/zstack/v1/accounts/login" \
  -H 'Content-Type: application/json' \
  -d "{\"logInByAccount\":{\"accountName\":\"admin\",\"password\":\"$pw\"}}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["inventory"]["uuid"])')
image=dbfd52c2f87c39cda8c8945fca8d6a5a

run() { # name url [header]
  local name=$1 url=$2 hdr=${3:-}
  local out
  if [ -n "$hdr" ]; then out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency -H "$hdr" "$url"); else out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency "$url"); fi
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  printf '%-34s %12s req/s   p99 %s\n' "$name" "$rps" "$p99" >&2
  echo "$rps"
}
# Warm-up, then the measured runs.
wrk -t1 -c"$conns" -d2s "http://127.0.0.1:$bare_port/" >/dev/null
wrk -t1 -c"$conns" -d2s -H "Authorization: OAuth $session" "http://127.0.0.1:$mc_port/zstack/v1/images/$image" >/dev/null
bare=$(run "bare hyper" "http://127.0.0.1:$bare_port/")
get=$(run "mockcloud stored-resource GET" "http://127.0.0.1:$mc_port/zstack/v1/images/$image" "Authorization: OAuth $session")
health=$(run "mockcloud /_mockcloud/health" "http://127.0.0.1:$mc_port/_mockcloud/health")
python3 - "$bare" "$get" "$health" <<'PY'
import sys
bare, get, health = map(float, sys.argv[1:])
print(f"stored-resource GET / bare hyper = {get / bare:.3f}  (overhead {100 * (1 - get / bare):.1f} %)")
print(f"health / bare hyper              = {health / bare:.3f}  (overhead {100 * (1 - health / bare):.1f} %)")
PY
