#!/usr/bin/env bash
# Throughput of mockcloud against a bare hyper server built and measured in the same run (the machine is shared
# and noisy, so only the ratio means anything). Drives load with wrk on:
#   1. bare hyper (examples/bare_hyper.rs), answering each path with the bytes mockcloud answers for it;
#   2. mockcloud, stored-resource GETs through auth, store and journal: a ZStack image by uuid (a one-row
#      query with its schema map) and a K5 Glance image by id;
#   3. mockcloud, GET /_mockcloud/health (the request path without a provider).
# Prints, per target, median req/s and its ratio to bare, and the server's CPU time per request and bare's
# CPU per request divided by it (the noise-robust form of the same ratio).
# Usage: bench/run.sh [seconds per run, default 5] [connections, default 32]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
conns=${2:-32}
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
cargo build --release --locked --bin mockcloud --example bare_hyper 2>&1 | tail -1
bare_port=18991
mc_port=18990
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
# Logs go to /dev/null, as in a CI job that does not keep them; the per-request line is still formatted.
target/release/mockcloud serve --listen "127.0.0.1:$mc_port" --seed 1 >/dev/null 2>&1 & pids+=($!)
mc_pid=$!
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
k5_project=73734414ba00e310cc645e118b6a6c4a
k5_token=$(curl -si "http://127.0.0.1:$mc_port/v3/auth/tokens" -H 'Content-Type: application/json' \
  -d '{"auth":{"identity":{"methods":["password"],"password":{"user":{"domain":{"name":"K5DEMO01"},"name":"alice","password":"alice-k5-pass"}}},"scope":{"project":{"id":"'$k5_project'"}}}}' |
  awk 'tolower($1)=="x-subject-token:" {print $2}' | tr -d '\r')
k5_image=b13756b4-43dd-4441-a285-dd208cfd7df2

# Server CPU time (user + system, in clock ticks) from /proc: CPU per request does not depend on what else the
# shared machine is doing, unlike req/s, so it is the figure to compare when the ratio is noisy.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
measure() { # pid url [header] -> "rps p99 cpu_us_per_request"
  local pid=$1 url=$2 hdr=${3:-} out before after
  before=$(cpu_ticks "$pid")
  if [ -n "$hdr" ]; then out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency -H "$hdr" "$url"); else out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency "$url"); fi
  after=$(cpu_ticks "$pid")
  local reqs
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1=="99%" {print $2}' <<<"$out") $(python3 -c "print(($after - $before) * 1e6 / $(getconf CLK_TCK) / max($reqs, 1))")"
}
declare -A url hdr
names=(zstack_image k5_glance_image health)
url[zstack_image]="http://127.0.0.1:$mc_port/zstack/v1/images/$image"; hdr[zstack_image]="Authorization: OAuth $session"
url[k5_glance_image]="http://127.0.0.1:$mc_port/image/v2/images/$k5_image"; hdr[k5_glance_image]="X-Auth-Token: $k5_token"
url[health]="http://127.0.0.1:$mc_port/_mockcloud/health"
# Each target must answer 200; its body becomes what the bare server answers on the same path.
bodies=$(mktemp -d)
bare_args=()
for n in "${names[@]}"; do
  code=$(curl -s -o "$bodies/$n" -w '%{http_code}' ${hdr[$n]:+-H "${hdr[$n]}"} "${url[$n]}")
  [ "$code" = 200 ] || { echo "$n: ${url[$n]} answered $code" >&2; exit 1; }
  path=${url[$n]#http://127.0.0.1:$mc_port}
  bare_args+=("$path=$bodies/$n")
  url[bare_$n]="http://127.0.0.1:$bare_port$path"
done
target/release/examples/bare_hyper "127.0.0.1:$bare_port" "${bare_args[@]}" & pids+=($!)
bare_pid=$!
sleep 0.3
for n in "${names[@]}"; do names+=("bare_$n"); done
for n in "${names[@]}"; do wrk -t1 -c"$conns" -d1s ${hdr[$n]:+-H "${hdr[$n]}"} "${url[$n]}" >/dev/null; done
# Rounds interleave the targets so a burst of load from elsewhere hits them all alike; the median round counts.
results=$(mktemp)
for round in 1 2 3; do
  for n in "${names[@]}"; do
    pid=$mc_pid; [[ $n == bare_* ]] && pid=$bare_pid
    echo "$n $(measure "$pid" "${url[$n]}" "${hdr[$n]:-}")" >>"$results"
  done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, rps, p99, cpu = line.split()
    rows.setdefault(name, []).append((float(rps), p99, float(cpu)))
med = {n: statistics.median(r for r, _, _ in runs) for n, runs in rows.items()}
cpu = {n: statistics.median(c for _, _, c in runs) for n, runs in rows.items()}
print(f"{'target':<22} {'median req/s':>12}  {'vs bare':>7}  {'CPU us/req':>10}  {'bare/this':>9}  p99 per round")
for name, runs in rows.items():
    base = med.get("bare_" + name)
    ratio = f"{med[name] / base:.3f}" if base else ""
    cpu_ratio = f"{cpu['bare_' + name] / cpu[name]:.3f}" if base else ""
    print(f"{name:<22} {med[name]:>12.0f}  {ratio:>7}  {cpu[name]:>10.2f}  {cpu_ratio:>9}  {' '.join(p for _, p, _ in runs)}")
PY
