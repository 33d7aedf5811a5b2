#!/usr/bin/env bash
# Benchmarks kubeheal-agent as a reverse proxy against nginx and HAProxy, all on loopback.
#
#   hack/bench-agent.sh                 # ~1.5 min: max rate and half-rate latency of each path
#   hack/bench-agent.sh --soak 600      # then a 600 s soak through the agent (not run in CI)
#   DURATION=5 CONNECTIONS=32 hack/bench-agent.sh
#
# Paths measured side by side, same core pinning (proxy on core PROXY_CPU, wrk + upstream on
# LOAD_CPU): wrk -> upstream; wrk -> agent -> upstream; wrk -> nginx -> upstream (keep-alive
# upstream); wrk -> HAProxy -> upstream. The upstream is nginx returning a fixed 3-byte body.
# Each proxy gets one worker thread/process. Prints req/s, p50/p99, the ratios, and the agent's
# RSS under load. Needs wrk, nginx (nginx-light), haproxy, taskset (hack/deps/apt-packages.txt).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
SOAK=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --soak) SOAK=${2:?--soak needs seconds}; shift 2 ;;
    --duration) DURATION=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "bench-agent: unknown argument $1" >&2; exit 2 ;;
  esac
done

AGENT=${KUBEHEAL_AGENT_BIN:-}
if [[ -z "$AGENT" ]]; then
  for candidate in build/bin/kubeheal-agent build-agent/bin/kubeheal-agent; do
    [[ -x "$candidate" ]] && { AGENT=$candidate; break; }
  done
fi
[[ -x "${AGENT:-}" ]] || { echo "bench-agent: build kubeheal-agent first (make build)" >&2; exit 1; }
for tool in wrk nginx haproxy taskset python3; do
  command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || {
    echo "bench-agent: $tool missing (hack/install-deps.sh)" >&2; exit 1; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)

WORK=$(mktemp -d /tmp/kubeheal-bench-agent.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.2
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck source=hack/lib/ports.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/ports.sh"
wait_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "bench-agent: nothing listens on port $1" >&2; exit 1
}

UPSTREAM_PORT=$(free_port)
AGENT_PORT=$(free_port "$UPSTREAM_PORT")
ADMIN_PORT=$(free_port "$UPSTREAM_PORT" "$AGENT_PORT")
NGINX_PORT=$(free_port "$UPSTREAM_PORT" "$AGENT_PORT" "$ADMIN_PORT")
HAPROXY_PORT=$(free_port "$UPSTREAM_PORT" "$AGENT_PORT" "$ADMIN_PORT" "$NGINX_PORT")

nginx_conf() {  # $1 = name, $2 = server block body
  mkdir -p "$WORK/$1"
  cat >"$WORK/$1/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $WORK/$1/nginx.pid;
error_log $WORK/$1/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/$1/body;
  proxy_temp_path $WORK/$1/proxy;
  fastcgi_temp_path $WORK/$1/fastcgi;
  uwsgi_temp_path $WORK/$1/uwsgi;
  scgi_temp_path $WORK/$1/scgi;
  $2
}
EOF
}

# The app: nginx answering every request with a fixed body.
nginx_conf upstream "server { listen 127.0.0.1:$UPSTREAM_PORT; location / { return 200 'ok\n'; } }"
taskset -c "$LOAD_CPU" "$NGINX" -c "$WORK/upstream/nginx.conf" -p "$WORK/upstream" &
PIDS+=($!)

# nginx as a reverse proxy with a keep-alive upstream pool.
nginx_conf proxy "upstream app { server 127.0.0.1:$UPSTREAM_PORT; keepalive 128; }
  server { listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection \"\";
                 proxy_buffering on; } }"
taskset -c "$PROXY_CPU" "$NGINX" -c "$WORK/proxy/nginx.conf" -p "$WORK/proxy" &
PIDS+=($!)

cat >"$WORK/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 4000
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
  http-reuse always
frontend bench
  bind 127.0.0.1:$HAPROXY_PORT
  default_backend app
backend app
  server app1 127.0.0.1:$UPSTREAM_PORT
EOF
taskset -c "$PROXY_CPU" "$HAPROXY" -f "$WORK/haproxy.cfg" -db &
PIDS+=($!)

echo "bench-token" >"$WORK/token"
taskset -c "$PROXY_CPU" "$AGENT" --listen "127.0.0.1:$AGENT_PORT" --admin "127.0.0.1:$ADMIN_PORT" \
  --upstream "127.0.0.1:$UPSTREAM_PORT" --token-file "$WORK/token" --threads 1 --quiet \
  >"$WORK/agent.out" 2>"$WORK/agent.err" &
AGENT_PID=$!
PIDS+=("$AGENT_PID")

for port in $UPSTREAM_PORT $NGINX_PORT $HAPROXY_PORT $AGENT_PORT; do wait_port "$port"; done
for port in $UPSTREAM_PORT $NGINX_PORT $HAPROXY_PORT $AGENT_PORT; do
  curl -fsS "http://127.0.0.1:$port/" >/dev/null || { echo "bench-agent: port $port does not answer" >&2; exit 1; }
done

# Paces each connection to a fixed rate: wrk's delay() hook, in milliseconds per request.
cat >"$WORK/paced.lua" <<'EOF'
local pause = tonumber(os.getenv("PACE_MS") or "1")
function delay() return pause end
EOF

# run NAME PORT SECONDS CONNECTIONS [PACE_MS] -> sets RPS P50 P99 ERRORS (ms for latencies)
run() {
  local name=$1 port=$2 seconds=$3 connections=$4 pace=${5:-}
  local args=(-t1 -c"$connections" -d"${seconds}s" --latency)
  [[ -n "$pace" ]] && args+=(-s "$WORK/paced.lua")
  PACE_MS=$pace taskset -c "$LOAD_CPU" wrk "${args[@]}" "http://127.0.0.1:$port/" >"$WORK/$name.wrk" 2>&1
  RPS=$(awk '/^Requests\/sec/ {print $2}' "$WORK/$name.wrk")
  P50=$(awk '$1=="50%" {print $2}' "$WORK/$name.wrk" | to_ms)
  P99=$(awk '$1=="99%" {print $2}' "$WORK/$name.wrk" | to_ms)
  ERRORS=$(awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(",",""); n+=$4+$6+$8+$10} END {print n+0}' "$WORK/$name.wrk")
}
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub("us","",v); v/=1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v*=1000}; printf "%.3f", v}'; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$AGENT_PID/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$AGENT_PID/status"; }

declare -A MAX_RPS MAX_P50 MAX_P99 MAX_ERR HALF_P50 HALF_P99 HALF_RPS
TARGETS=(direct agent nginx haproxy)
declare -A PORT=([direct]=$UPSTREAM_PORT [agent]=$AGENT_PORT [nginx]=$NGINX_PORT [haproxy]=$HAPROXY_PORT)

echo "kubeheal-agent benchmark: ${DURATION}s per run, $CONNECTIONS connections, proxy on cpu $PROXY_CPU, wrk+upstream on cpu $LOAD_CPU"
echo "agent: $AGENT ($(nproc) cpus, load average $(cut -d' ' -f1-3 /proc/loadavg))"
RSS_IDLE=$(rss_kb)
for target in "${TARGETS[@]}"; do
  run "max-$target" "${PORT[$target]}" 2 "$CONNECTIONS"   # warm-up
  run "max-$target" "${PORT[$target]}" "$DURATION" "$CONNECTIONS"
  MAX_RPS[$target]=$RPS; MAX_P50[$target]=$P50; MAX_P99[$target]=$P99; MAX_ERR[$target]=$ERRORS
  [[ $target == agent ]] && RSS_LOAD=$(rss_kb)
done

# Half of the agent's maximum rate, the same offered load for every path.
HALF=$(awk -v r="${MAX_RPS[agent]}" 'BEGIN {printf "%d", r/2}')
PACE=2
PACED_CONNECTIONS=$(awk -v h="$HALF" -v p="$PACE" 'BEGIN {c=int(h*p/1000+0.5); if (c<1) c=1; print c}')
for target in "${TARGETS[@]}"; do
  run "half-$target" "${PORT[$target]}" "$DURATION" "$PACED_CONNECTIONS" "$PACE"
  HALF_RPS[$target]=$RPS; HALF_P50[$target]=$P50; HALF_P99[$target]=$P99
done
RSS_HWM=$(hwm_kb)

printf '\n%-9s %12s %9s %9s %7s | %12s %9s %9s\n' path "max req/s" "p50 ms" "p99 ms" errors "half req/s" "p50 ms" "p99 ms"
for target in "${TARGETS[@]}"; do
  printf '%-9s %12s %9s %9s %7s | %12s %9s %9s\n' "$target" "${MAX_RPS[$target]}" "${MAX_P50[$target]}" \
    "${MAX_P99[$target]}" "${MAX_ERR[$target]}" "${HALF_RPS[$target]}" "${HALF_P50[$target]}" "${HALF_P99[$target]}"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b>0) printf "%.2f", a/b; else print "n/a"}'; }
ADDED_P99=$(awk -v a="${HALF_P99[agent]}" -v d="${HALF_P99[direct]}" 'BEGIN {printf "%.3f", a-d}')
echo
echo "throughput ratios: agent/nginx $(ratio "${MAX_RPS[agent]}" "${MAX_RPS[nginx]}")  agent/haproxy $(ratio "${MAX_RPS[agent]}" "${MAX_RPS[haproxy]}")  agent/direct $(ratio "${MAX_RPS[agent]}" "${MAX_RPS[direct]}")"
echo "half rate: $HALF req/s offered ($PACED_CONNECTIONS connections x 1 req per ${PACE} ms + latency)"
echo "added p99 over direct at half rate: agent ${ADDED_P99} ms  nginx $(awk -v a="${HALF_P99[nginx]}" -v d="${HALF_P99[direct]}" 'BEGIN {printf "%.3f", a-d}') ms  haproxy $(awk -v a="${HALF_P99[haproxy]}" -v d="${HALF_P99[direct]}" 'BEGIN {printf "%.3f", a-d}') ms"
echo "agent RSS: idle $((RSS_IDLE / 1024)) MiB, after max-rate run $((RSS_LOAD / 1024)) MiB, peak $((RSS_HWM / 1024)) MiB"
echo
echo "targets: agent >= nginx throughput: $(awk -v a="${MAX_RPS[agent]}" -v n="${MAX_RPS[nginx]}" 'BEGIN {print (a>=n) ? "met" : "MISSED"}');" \
  "added p99 <= 0.2 ms: $(awk -v x="$ADDED_P99" 'BEGIN {print (x<=0.2) ? "met" : "MISSED"}');" \
  "RSS <= 15 MiB: $(awk -v r="$RSS_HWM" 'BEGIN {print (r<=15*1024) ? "met" : "MISSED"}')"

if (( SOAK > 0 )); then
  echo
  echo "soak: ${SOAK}s through the agent at $HALF req/s, RSS sampled every 30 s"
  PACE_MS=$PACE taskset -c "$LOAD_CPU" wrk -t1 -c"$PACED_CONNECTIONS" -d"${SOAK}s" --latency \
    -s "$WORK/paced.lua" "http://127.0.0.1:$AGENT_PORT/" >"$WORK/soak.wrk" 2>&1 &
  WRK_PID=$!
  SAMPLES=()
  while kill -0 "$WRK_PID" 2>/dev/null; do
    sleep 30
    kill -0 "$WRK_PID" 2>/dev/null || break
    SAMPLES+=("$(rss_kb)")
    echo "  t=$(( ${#SAMPLES[@]} * 30 ))s rss=$(( ${SAMPLES[-1]} / 1024 )) MiB"
  done
  wait "$WRK_PID" || true
  ERRORS=$(awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(",",""); n+=$4+$6+$8+$10} END {print n+0}' "$WORK/soak.wrk")
  UPSTREAM_ERRORS=$(curl -fsS "http://127.0.0.1:$ADMIN_PORT/metrics" | awk '/^kubeheal_agent_upstream_errors_total/ {n+=$2} END {print n+0}')
  grep -E "Requests/sec|99%" "$WORK/soak.wrk" | sed 's/^/  /'
  FIRST=${SAMPLES[1]:-${SAMPLES[0]:-0}}; LAST=${SAMPLES[-1]:-0}
  echo "soak: client errors $ERRORS, agent upstream errors $UPSTREAM_ERRORS, RSS $((FIRST / 1024)) -> $((LAST / 1024)) MiB" \
    "($(awk -v f="$FIRST" -v l="$LAST" 'BEGIN {if (f>0) printf "%+.1f%%", (l-f)*100/f}') after the first minute)"
  if (( ERRORS > 0 || UPSTREAM_ERRORS > 0 )); then echo "soak: FAILED (errors)"; exit 1; fi
  if awk -v f="$FIRST" -v l="$LAST" 'BEGIN {exit !(l > f * 1.10 + 1024)}'; then echo "soak: FAILED (RSS grew)"; exit 1; fi
  echo "soak: passed"
fi
