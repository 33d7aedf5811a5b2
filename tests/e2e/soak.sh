#!/usr/bin/env bash
# kubeheal soak: normal traffic with the variation real services have, and no healing action.
#
#   tests/e2e/soak.sh [local|kind]      (make soak; SOAK_MINUTES, default 60)
#
# From a fresh install of the chart (samples, Prometheus, operator with 2 replicas; an existing
# release is uninstalled first), over SOAK_MINUTES of the samples' traffic:
#   - a daily-like ramp compressed into the run: the traffic generator goes 1 -> 2 -> 3 -> 2 -> 1
#     replicas (x3 from trough to peak),
#   - a 2x burst of 30 s every 10 minutes (one in the middle of a shorter run),
#   - a rolling restart of every sample service (at 20%), Prometheus restarted (its pod deleted,
#     its emptyDir history gone, at 35%), the operator's leader moved (its pod deleted
#     gracefully, at 50%), a scale-out by hand of payments to 3 replicas (60%) and back (80%).
# tests/e2e/soak_watch.py samples every policy every 5 s and prints, per signal, how often it was
# anomalous and the longest an anomaly held against its `for`, the healing actions taken (must
# be none) and the rules that waited on a related policy. Exit 0 when no action was taken.
# Functions for tests/e2e/run.sh, which runs a short soak (E2E_SOAK_MINUTES, default 10) before
# the drills: e2e_soak MINUTES.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

soak_at() {  # soak_at FRACTION: waits until FRACTION of the soak has passed
  local target
  target=$(awk -v s="$SOAK_START" -v t="$SOAK_SECONDS" -v f="$1" 'BEGIN { printf "%d", s + t * f }')
  while ((SECONDS < target)); do sleep 1; done
}

soak_loadgen() { kubectl -n "$E2E_NS" scale deploy loadgen --replicas="$1" >/dev/null && e2e_say "soak: loadgen at $1 replicas ($2)"; }

# e2e_soak MINUTES: the events above on the installed release; 0 = no action taken.
e2e_soak() {
  local minutes=${1:-60} since watch_pid rc=0 leader
  SOAK_SECONDS=$((minutes * 60))
  SOAK_START=$SECONDS
  since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  e2e_say "soak: $minutes min of normal traffic from $since; no healing action expected"
  python3 -u "$E2E_DIR/soak_watch.py" "$E2E_NS" "$since" "$SOAK_SECONDS" "$E2E_ARTIFACTS/soak.json" \
    orders payments users >"$E2E_ARTIFACTS/soak.report" 2>&1 &
  watch_pid=$!
  # Events in time order; the ramp's steps at 1/8, 2/8, 5/8 and 7/8, bursts every 10 minutes.
  local -a plan=()
  plan+=("0.125 ramp 2" "0.25 ramp 3" "0.625 ramp 2" "0.875 ramp 1")
  plan+=("0.20 restart" "0.35 prometheus" "0.50 leader" "0.60 scale 3" "0.80 scale 2")
  local m
  if ((minutes >= 20)); then
    for ((m = 10; m < minutes; m += 10)); do plan+=("$(awk -v m="$m" -v t="$minutes" 'BEGIN { printf "%.4f", m / t }') burst"); done
  else
    plan+=("0.45 burst")
  fi
  local step current=1
  while IFS= read -r step; do
    read -r at what arg <<<"$step"
    soak_at "$at"
    case $what in
      ramp) current=$arg; soak_loadgen "$current" "ramp" ;;
      burst)
        soak_loadgen $((current * 2)) "2x burst for 30s"
        sleep 30
        soak_loadgen "$current" "burst over" ;;
      restart)
        e2e_say "soak: rolling restart of orders, payments, users"
        for d in orders payments users; do kubectl -n "$E2E_NS" rollout restart deploy "$d" >/dev/null; done
        for d in orders payments users; do
          kubectl -n "$E2E_NS" rollout status deploy "$d" --timeout=300s >/dev/null ||
            { rc=1; e2e_say "soak: FAILED: the rollout of $d did not finish in 300s"; }
        done ;;
      prometheus)
        e2e_say "soak: Prometheus restarted (pod deleted; its emptyDir history is lost)"
        kubectl -n "$E2E_NS" delete pod -l app.kubernetes.io/name=kubeheal-prometheus --wait=false >/dev/null
        e2e_wait_until 180 "Prometheus ready again" kubectl -n "$E2E_NS" wait --for=condition=Ready pod \
          -l app.kubernetes.io/name=kubeheal-prometheus --timeout=5s >/dev/null 2>&1 ||
          { rc=1; e2e_say "soak: FAILED: Prometheus not ready 180s after its restart"; } ;;
      leader)
        leader=$(e2e_leader)
        e2e_say "soak: moving the operator's leader ($leader deleted gracefully)"
        kubectl -n "$E2E_NS" delete pod "$leader" --wait=false >/dev/null
        e2e_wait_until 120 "another replica holds the Lease" bash -c "[[ \$(python3 '$E2E_LIB/drill_state.py' leader '$E2E_NS' '$E2E_LEASE') != '$leader' ]]" ||
          { rc=1; e2e_say "soak: FAILED: no other replica took the Lease in 120s"; } ;;
      scale)
        e2e_say "soak: payments scaled by hand to $arg replicas"
        kubectl -n "$E2E_NS" scale deploy payments --replicas="$arg" >/dev/null ;;
    esac
  done < <(printf '%s\n' "${plan[@]}" | sort -n)
  soak_loadgen 1 "end of the soak"
  wait "$watch_pid" || { rc=1; e2e_say "soak: FAILED: healing actions were taken (or the watch failed; $E2E_ARTIFACTS/soak.report)"; }
  cat "$E2E_ARTIFACTS/soak.report" >&2
  e2e_say "soak: $([[ $rc == 0 ]] && echo "no healing action in $minutes min" || echo FAILED)"
  return "$rc"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  mode=${1:-local}
  e2e_init "$mode"
  soak_finish() {
    local rc=$?
    trap - EXIT
    # Like tests/e2e/run.sh: a cluster this run brought up goes down again unless E2E_KEEP=1.
    if [[ ${E2E_KEEP:-} == 1 ]] || [[ -z ${E2E_KEEP:-} && $E2E_STARTED_CLUSTER == 0 ]]; then
      e2e_say "cluster kept"
    else
      e2e_say "tearing the cluster down"
      e2e_teardown >&2 || true
    fi
    exit "$rc"
  }
  trap soak_finish EXIT
  e2e_stage "images" e2e_ensure_images
  e2e_stage "cluster up" e2e_ensure_cluster
  e2e_stage "images load" e2e_load_images
  helm=${HELM:-$(command -v helm || echo "$HOME/.cache/kubeheal/bin/helm")}
  if [[ -x $helm ]] && "$helm" -n "$E2E_NS" status "$E2E_RELEASE" >/dev/null 2>&1; then
    e2e_say "soak: uninstalling release $E2E_RELEASE for a fresh install"
    e2e_clean_scenarios || true
    "$helm" -n "$E2E_NS" uninstall "$E2E_RELEASE" --wait --timeout 5m >&2
    kubectl -n "$E2E_NS" delete healingpolicies --all --wait=true --timeout=60s >/dev/null 2>&1 || true
  fi
  e2e_stage "chart install" e2e_install
  e2e_soak "${SOAK_MINUTES:-60}"
fi
