# shellcheck shell=bash
# kubeheal's end-to-end drills (tests/e2e/run.sh, tests/e2e/soak.sh): the building blocks of
# hack/lib/drills.sh (e2e_init, images, cluster, install, baseline, e2e_follow, ...; shared with
# `make demo`) plus the drill-specific checks, the summary and the teardown. Source it from bash;
# it sets no shell options and changes no directory.
#
#   e2e_run_drill N               runs drill N (apply, live timeline, drill checks, dump on
#                                 failure); appends a row to the summary; 0 = Passed
#   e2e_dump SCENARIO...          policy status, scenario status, Events, operator logs
#   e2e_summary                   the table of drill results and stage times; 0 = all passed
#   e2e_failures                  one line per failed stage or drill, or "all passed"
#   e2e_teardown                  stops the cluster (local: hack/cluster.sh down; kind: delete)
#
# Environment: that of hack/lib/drills.sh.

# shellcheck source=hack/lib/drills.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../hack/lib/drills.sh"
E2E_DIR=$E2E_ROOT/tests/e2e
e2e_dump() {
  local out sc pol p
  out=$E2E_ARTIFACTS/dump-$(date -u +%H%M%S)
  mkdir -p "$out"
  echo "----- dump (full copies in $out) -----"
  for sc in "$@"; do
    kubectl -n "$E2E_NS" get faultscenario "$sc" -o yaml >"$out/scenario-$sc.yaml" 2>&1
    echo "--- FaultScenario $sc status"
    sed -n '/^status:/,$p' "$out/scenario-$sc.yaml" | grep -v 'lastTransitionTime\|observedGeneration'
  done
  for pol in orders payments users; do
    kubectl -n "$E2E_NS" get healingpolicy "$pol" -o yaml >"$out/policy-$pol.yaml" 2>&1
  done
  for pol in $(for sc in "$@"; do kubectl -n "$E2E_NS" get faultscenario "$sc" -o jsonpath='{.spec.expect.policyRef.name}{"\n"}' 2>/dev/null; done | sort -u); do
    echo "--- HealingPolicy $pol status"
    sed -n '/^status:/,$p' "$out/policy-$pol.yaml" | grep -v 'lastTransitionTime\|observedGeneration' | head -n 150
  done
  kubectl -n "$E2E_NS" get events --sort-by=.lastTimestamp >"$out/events.txt" 2>&1
  echo "--- Events (last 40)"
  tail -n 40 "$out/events.txt"
  kubectl -n "$E2E_NS" get pods -o wide >"$out/pods.txt" 2>&1
  echo "--- Pods"
  cat "$out/pods.txt"
  for p in $(kubectl -n "$E2E_NS" get pods -l app.kubernetes.io/name=kubeheal-operator -o name 2>/dev/null); do
    kubectl -n "$E2E_NS" logs "$p" --tail=2000 >"$out/${p#pod/}.log" 2>&1
    kubectl -n "$E2E_NS" logs "$p" --previous --tail=500 >"$out/${p#pod/}.previous.log" 2>/dev/null || rm -f "$out/${p#pod/}.previous.log"
    echo "--- operator log ${p#pod/} (last 40 lines)"
    tail -n 40 "$out/${p#pod/}.log"
  done
  echo "----- end of dump -----"
}

# ---- drill-specific checks (run after the verdict; print what they saw, 0 = ok) ----

e2e_pods_ready() {
  local app=$1 ready total
  total=$(kubectl -n "$E2E_NS" get deploy "$app" -o jsonpath='{.spec.replicas}')
  ready=$(kubectl -n "$E2E_NS" get deploy "$app" -o jsonpath='{.status.readyReplicas}')
  local updated
  updated=$(kubectl -n "$E2E_NS" get deploy "$app" -o jsonpath='{.status.updatedReplicas}')
  [[ -n $total && ${ready:-0} == "$total" && ${updated:-0} == "$total" ]] &&
    kubectl -n "$E2E_NS" wait --for=condition=Ready pod -l "app.kubernetes.io/name=$app" --timeout=5s >/dev/null 2>&1
}

e2e_check_3() {
  e2e_wait_until 180 "orders pods Ready again" e2e_pods_ready orders || return 1
  local restarted
  restarted=$(kubectl -n "$E2E_NS" get deploy orders -o jsonpath='{.spec.template.metadata.annotations}')
  echo "  orders: $(kubectl -n "$E2E_NS" get deploy orders -o jsonpath='{.status.readyReplicas}/{.spec.replicas}') Ready; template annotations: ${restarted:-none}"
}

# Drill 4: a sampler (started before the drill) records orders' replicas; afterwards the
# scale-out must have had every new pod Ready, then orders goes back to its replicas.
e2e_sampler_start() {
  local file=$E2E_ARTIFACTS/replicas-$1.txt
  : >"$file"
  ( while :; do
      echo "$(date -u +%H:%M:%S) $(kubectl -n "$E2E_NS" get deploy "$1" -o jsonpath='{.spec.replicas} {.status.readyReplicas}' 2>/dev/null)" >>"$file"
      sleep 3
    done ) &
  E2E_SAMPLER_PID=$!
}
# Without a sampler (a run without drill 4) there is nothing to stop; under `set -u` an unset
# E2E_SAMPLER_PID would end the run's EXIT trap before its summary and teardown.
e2e_sampler_stop() {
  [[ -n ${E2E_SAMPLER_PID:-} ]] || return 0
  kill "$E2E_SAMPLER_PID" 2>/dev/null
  wait "$E2E_SAMPLER_PID" 2>/dev/null
  E2E_SAMPLER_PID=""
}

e2e_replicas_back() { [[ $(kubectl -n "$E2E_NS" get deploy "$1" -o jsonpath='{.spec.replicas}') == "$2" ]]; }

e2e_check_4() {
  local base=$1 file=$E2E_ARTIFACTS/replicas-orders.txt max_spec max_ready
  max_spec=$(awk '{ if ($2 > m) m = $2 } END { print m + 0 }' "$file")
  max_ready=$(awk '{ if ($3 > m) m = $3 } END { print m + 0 }' "$file")
  echo "  orders replicas: base $base, scaled to $max_spec, at most $max_ready Ready"
  local ok=0
  ((max_spec > base)) || { echo "  FAIL: orders was never scaled out"; ok=1; }
  ((max_ready >= max_spec)) || { echo "  FAIL: the new orders pods never were all Ready ($max_ready of $max_spec)"; ok=1; }
  e2e_wait_until "${E2E_SCALE_IN_TIMEOUT:-240}" "orders scaled back in to $base" e2e_replicas_back orders "$base" ||
    { echo "  FAIL: orders still at $(kubectl -n "$E2E_NS" get deploy orders -o jsonpath='{.spec.replicas}') replicas"; ok=1; }
  e2e_wait_until 120 "loadgen back to 1 replica" e2e_replicas_back loadgen 1 ||
    { echo "  FAIL: loadgen not reverted"; ok=1; }
  [[ $ok == 1 ]] || echo "  orders back to $base replicas, loadgen back to 1"
  return "$ok"
}

e2e_check_5() { python3 "$E2E_DIR/checks.py" oomkilled "$E2E_NS" app.kubernetes.io/name=users; }

# Drill 6: every action on the policy's own signals, no flapping, and orders (which calls both
# faulted services) waited on them instead of acting.
e2e_check_6() {
  local ok=0
  python3 "$E2E_DIR/checks.py" consistent "$E2E_NS" "$1" orders payments users || ok=1
  python3 "$E2E_DIR/checks.py" waited "$E2E_NS" "$1" orders || ok=1
  return "$ok"
}

# Drills 1-6: only the faulted services' policies act (no collateral action on a caller).
# The faulted services are those the drill's scenarios select.
e2e_faulted_of() { grep -oE 'app.kubernetes.io/name: [a-z0-9-]+' "$1" | awk '{print $2}' | sort -u | paste -sd,; }
e2e_check_collateral() {
  python3 "$E2E_DIR/checks.py" collateral "$E2E_NS" "$2" "$(e2e_faulted_of "$1")" orders payments users
}

e2e_faults_active() { e2e_prom_query "sum(kubeheal_agent_faults_active{namespace=\"$E2E_NS\"})"; }
e2e_no_faults() { local v; v=$(e2e_faults_active); [[ -z $v || $v == 0 ]]; }

e2e_check_7() {
  local killed=$1 since=$2 now ok=0 identity takeover
  identity=$(cat "$E2E_ARTIFACTS/killed-identity" 2>/dev/null)
  now=$(python3 "$E2E_LIB/drill_state.py" holder "$E2E_NS" "$E2E_LEASE" 2>/dev/null)
  if [[ -z $now || $now == "$identity" ]]; then
    echo "  FAIL: the Lease is held by '${now:-nobody}', not by another process than the killed $identity"; ok=1
  else
    echo "  Lease taken over: $identity -> $now (pod $killed was the leader)"
  fi
  # After SIGKILL the Lease is not released: lease duration (15 s) + retry period (2 s), + 2 s
  # for the polling of the Lease.
  takeover=$(cat "$E2E_ARTIFACTS/takeover-seconds" 2>/dev/null || echo 999)
  if awk -v t="$takeover" 'BEGIN { exit !(t <= 19) }'; then
    echo "  takeover in ${takeover} s (lease 15 s + retry 2 s)"
  else
    echo "  FAIL: takeover took ${takeover} s, over the lease duration 15 s + retry period 2 s"; ok=1
  fi
  python3 "$E2E_DIR/checks.py" once "$E2E_NS" "$since" users || ok=1
  # Faults carry a 30s expiry (--fault-ttl); give Prometheus a scrape interval more.
  if e2e_wait_until 60 "agent faults lapsed" e2e_no_faults; then
    echo "  no fault active on any agent after the drill"
  else
    echo "  FAIL: faults still active on the agents: $(e2e_faults_active)"; ok=1
  fi
  return "$ok"
}

# Drill 7's disruption: once the scenario injects, force-delete the leader's pod.
e2e_kill_leader_when_injecting() {
  local sc=$1 start=$SECONDS phase leader identity
  while ((SECONDS - start < 120)); do
    phase=$(kubectl -n "$E2E_NS" get faultscenario "$sc" -o jsonpath='{.status.phase}' 2>/dev/null)
    [[ $phase == Injecting ]] && break
    sleep 2
  done
  sleep "${E2E_KILL_AFTER:-20}"
  leader=$(e2e_leader)
  identity=$(python3 "$E2E_LIB/drill_state.py" holder "$E2E_NS" "$E2E_LEASE" 2>/dev/null)
  echo "$leader" >"$E2E_ARTIFACTS/killed-leader"
  echo "$identity" >"$E2E_ARTIFACTS/killed-identity"
  # SIGKILL, as a node loss or the OOM killer would: the process gets no chance to release the
  # Lease. On the local cluster its containers are processes of this host (HOSTNAME = pod name);
  # elsewhere (kind) the pod is force-deleted.
  local pid="" p
  if [[ $E2E_MODE == local ]]; then
    for p in $(pgrep -f /kubeheal-operator); do
      if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "HOSTNAME=$leader"; then pid=$p; break; fi
    done
  fi
  local killed_at
  killed_at=$(date +%s.%N)
  if [[ -n $pid ]]; then
    e2e_say "drill 7: SIGKILL of the leader operator (pod $leader, host pid $pid)"
    kill -KILL "$pid"
  else
    e2e_say "drill 7: killing the leader operator pod $leader (--grace-period=0 --force)"
    kubectl -n "$E2E_NS" delete pod "$leader" --grace-period=0 --force >/dev/null 2>&1
  fi
  # How long until another process (the standby, or the killed container restarted) holds it.
  local now_holder
  while :; do
    now_holder=$(python3 "$E2E_LIB/drill_state.py" holder "$E2E_NS" "$E2E_LEASE" 2>/dev/null)
    [[ -n $now_holder && $now_holder != "$identity" ]] && break
    awk -v a="$killed_at" -v b="$(date +%s.%N)" 'BEGIN { exit !(b - a > 120) }' && break
    sleep 0.5
  done
  awk -v a="$killed_at" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", b - a }' >"$E2E_ARTIFACTS/takeover-seconds"
  e2e_say "drill 7: the Lease went from $identity to ${now_holder:-nobody} in $(cat "$E2E_ARTIFACTS/takeover-seconds") s"
}

# e2e_run_drill N: one drill end to end; adds its summary row.
e2e_run_drill() {
  local n=$1 file names policies start rc=0 check_rc=0 since base="" t0=$SECONDS killer=""
  file=$(e2e_drill_file "$n") || return 1
  mapfile -t names < <(e2e_scenarios_of "$file")
  mapfile -t policies < <(e2e_policies_of "$file")
  e2e_say "=== drill $n: $(sed -n '1s/^# //p' "$file")"
  e2e_settle orders payments users
  since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  case $n in
    4) base=$(kubectl -n "$E2E_NS" get deploy orders -o jsonpath='{.spec.replicas}'); e2e_sampler_start orders ;;
    7) rm -f "$E2E_ARTIFACTS/killed-leader" "$E2E_ARTIFACTS/killed-identity" "$E2E_ARTIFACTS/takeover-seconds"; e2e_kill_leader_when_injecting "${names[0]}" & killer=$! ;;
  esac
  start=$SECONDS
  e2e_follow "$file" "${E2E_DRILL_TIMEOUT:-480}" || rc=$?
  [[ -n $killer ]] && wait "$killer"
  local checks_out=$E2E_ARTIFACTS/drill-$n.checks
  case $n in
    3) e2e_check_3 >"$checks_out" 2>&1 || check_rc=1 ;;
    4) e2e_sampler_stop; e2e_check_4 "$base" >"$checks_out" 2>&1 || check_rc=1 ;;
    5) e2e_check_5 >"$checks_out" 2>&1 || check_rc=1 ;;
    6) e2e_check_6 "$since" >"$checks_out" 2>&1 || check_rc=1 ;;
    7) e2e_check_7 "$(cat "$E2E_ARTIFACTS/killed-leader" 2>/dev/null)" "$since" >"$checks_out" 2>&1 || check_rc=1 ;;
    *) : >"$checks_out" ;;
  esac
  if ((n >= 1 && n <= 6)); then
    e2e_check_collateral "$file" "$since" >>"$checks_out" 2>&1 || check_rc=1
  fi
  local per_policy
  per_policy=$(sed -n 's/^  actions per policy: //p' "$checks_out" | tail -n 1)
  [[ -s $checks_out ]] && { e2e_say "drill $n checks:"; cat "$checks_out" >&2; }
  local verdicts mttd mttr actions
  verdicts=$(e2e_result verdict | paste -sd/)
  mttd=$(e2e_result mttd | paste -sd/)
  mttr=$(e2e_result mttr | paste -sd/)
  actions=$(e2e_result actions | paste -sd/)
  local result=Passed
  [[ $rc == 0 && $check_rc == 0 ]] || result=FAILED
  e2e_say "drill $n: verdict $verdicts, MTTD $mttd, MTTR $mttr, actions ${actions:--}, checks $([[ $check_rc == 0 ]] && echo ok || echo FAILED) -> $result ($((SECONDS - start))s)"
  E2E_ROWS+=("$n|$(basename "$file" .yaml)|$verdicts|$mttd|$mttr|${actions:--}|${per_policy:--}|$([[ $check_rc == 0 ]] && echo ok || echo FAILED)|$((SECONDS - t0))|$result")
  if [[ $result != Passed ]]; then
    E2E_FAILED=1
    e2e_result reason | sed 's/^/  reason: /' >&2
    e2e_dump "${names[@]}" >&2
    return 1
  fi
}

e2e_summary() {
  local row
  echo
  echo "kubeheal e2e ($E2E_MODE) summary, total $((SECONDS - E2E_T0))s; artifacts in $E2E_ARTIFACTS"
  printf '%-6s %-32s %-14s %-10s %-12s %-24s %-40s %-7s %6s  %s\n' DRILL SCENARIO VERDICT MTTD MTTR ACTIONS ACTIONS-PER-POLICY CHECKS TIME RESULT
  for row in "${E2E_ROWS[@]}"; do
    IFS='|' read -r n name v d r a pp c t res <<<"$row"
    printf '%-6s %-32s %-14s %-10s %-12s %-24s %-40s %-7s %5ss  %s\n' "$n" "$name" "$v" "$d" "$r" "$a" "$pp" "$c" "$t" "$res"
  done
  echo "stages:"
  for row in "${E2E_STAGES[@]}"; do
    IFS='|' read -r n t s <<<"$row"
    printf '  %-20s %5ss  %s\n' "$n" "$t" "$s"
  done
  return "$E2E_FAILED"
}

# e2e_failures: one line per failed stage or drill (with the soak's actions and the drill's
# reason), or "all passed"; the run's last words.
e2e_failures() {
  local row n t st name v res any=0
  for row in "${E2E_STAGES[@]}"; do
    IFS='|' read -r n t st <<<"$row"
    [[ $st == ok ]] && continue
    any=1
    e2e_say "FAILED stage: $n (${t}s)"
    if [[ $n == soak* && -s $E2E_ARTIFACTS/soak.report ]]; then
      sed -n '/healing actions since/,$p' "$E2E_ARTIFACTS/soak.report" | sed 's/^/    /' >&2
    fi
  done
  for row in "${E2E_ROWS[@]}"; do
    IFS='|' read -r n name v _ _ _ _ _ t res <<<"$row"
    [[ $res == Passed ]] && continue
    any=1
    e2e_say "FAILED drill $n ($name): verdict $v; timeline and dump in $E2E_ARTIFACTS/drill-$n.*"
  done
  ((any)) || e2e_say "all stages and drills passed"
}

e2e_teardown() {
  if [[ $E2E_MODE == kind ]]; then
    "$E2E_ROOT/hack/kind-up.sh" down
  else
    "$E2E_ROOT/hack/cluster.sh" down
  fi
}
