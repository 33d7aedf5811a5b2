# shellcheck shell=bash
# Reusable pieces of kubeheal's end-to-end drills (tests/e2e/run.sh, and `make demo`).
# Source it from bash; it sets no shell options and changes no directory. Every function prints
# progress lines "[e2e  42s] ..." (seconds since e2e_init) to stderr and returns non-zero on
# failure with a line saying what failed.
#
#   e2e_init MODE                 MODE local (hack/cluster.sh) or kind (hack/kind-up.sh); sets
#                                 the variables below and starts the clock
#   e2e_ensure_images             local: binaries + image tarballs (+ kubeheal/prometheus:dev) in
#                                 $E2E_BUILD_DIR, built when missing or older than the binary;
#                                 kind: docker builds (hack/kind-up.sh build)
#   e2e_ensure_cluster            brings the cluster up unless it is up; sets E2E_STARTED_CLUSTER=1
#                                 when it did; exports KUBECONFIG
#   e2e_load_images               imports the images into the cluster
#   e2e_install                   helm upgrade --install with samples + Prometheus + operator
#                                 (2 replicas, leader election); when the release existed:
#                                 deletes leftover drill scenarios and restarts the operator and
#                                 the sample services (so the images just loaded run)
#   e2e_wait_scraped              Prometheus scrapes every agent pod (up == 1)
#   e2e_wait_baseline [POLICY..]  the sample policies' learning detectors have their minPoints
#   e2e_drill_file N              path of drill N's manifest (tests/e2e/drills/N-*.yaml)
#   e2e_run_drill N               runs drill N (apply, live timeline, drill checks, dump on
#                                 failure); appends a row to the summary; 0 = Passed
#   e2e_follow FILE [TIMEOUT]     applies a FaultScenario manifest and prints its live timeline
#                                 until the verdict; 0 = every scenario in it Passed (the demo's
#                                 building block; no drill-specific checks)
#   e2e_dump SCENARIO...          policy status, scenario status, Events, operator logs
#   e2e_prom_query QUERY          instant query through the API server's service proxy; prints
#                                 the first value (works on both paths, no port-forward)
#   e2e_summary                   the table of drill results and stage times; 0 = all passed
#   e2e_teardown                  stops the cluster (local: hack/cluster.sh down; kind: delete)
#
# Environment: KUBEHEAL_E2E_NAMESPACE (kubeheal-e2e), KUBEHEAL_E2E_RELEASE (kh),
# KUBEHEAL_E2E_BUILD_DIR (build), KUBEHEAL_IMAGES_DIR (<build dir>/images), JOBS (2),
# E2E_ARTIFACTS (dumps and logs; default /tmp/kubeheal-e2e-<time>).

E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
E2E_DIR=$E2E_ROOT/tests/e2e

e2e_init() {
  E2E_MODE=${1:?e2e_init local|kind}
  case $E2E_MODE in local | kind) ;; *) echo "e2e: unknown mode '$E2E_MODE' (local or kind)" >&2; return 2 ;; esac
  E2E_NS=${KUBEHEAL_E2E_NAMESPACE:-kubeheal-e2e}
  E2E_RELEASE=${KUBEHEAL_E2E_RELEASE:-kh}
  E2E_BUILD_DIR=${KUBEHEAL_E2E_BUILD_DIR:-build}
  [[ $E2E_BUILD_DIR == /* ]] || E2E_BUILD_DIR=$E2E_ROOT/$E2E_BUILD_DIR
  E2E_IMAGES_DIR=${KUBEHEAL_IMAGES_DIR:-$E2E_BUILD_DIR/images}
  [[ $E2E_IMAGES_DIR == /* ]] || E2E_IMAGES_DIR=$E2E_ROOT/$E2E_IMAGES_DIR
  export KUBEHEAL_IMAGES_DIR=$E2E_IMAGES_DIR KUBEHEAL_E2E_NAMESPACE=$E2E_NS KUBEHEAL_E2E_RELEASE=$E2E_RELEASE
  E2E_ARTIFACTS=${E2E_ARTIFACTS:-/tmp/kubeheal-e2e-$(date -u +%Y%m%dT%H%M%SZ)}
  mkdir -p "$E2E_ARTIFACTS"
  E2E_OPERATOR=$E2E_RELEASE-kubeheal-operator
  E2E_LEASE=kubeheal-operator
  E2E_T0=$SECONDS
  E2E_STARTED_CLUSTER=0
  E2E_ROWS=()
  E2E_STAGES=()
  E2E_FAILED=0
  command -v kubectl >/dev/null || { e2e_say "FAILED: kubectl not found"; return 1; }
}

e2e_say() { printf '[e2e %4ds] %s\n' "$((SECONDS - ${E2E_T0:-$SECONDS}))" "$*" >&2; }

# e2e_stage NAME CMD...: runs CMD, records how long it took under NAME.
e2e_stage() {
  local name=$1 start=$SECONDS rc=0
  shift
  "$@" || rc=$?
  E2E_STAGES+=("$name|$((SECONDS - start))|$([[ $rc == 0 ]] && echo ok || echo FAILED)")
  return "$rc"
}

e2e_images=(operator agent orders payments users loadgen pause)
declare -A e2e_binary_of=(
  [operator]=kubeheal-operator [agent]=kubeheal-agent [orders]=orders [payments]=payments
  [users]=users [loadgen]=kubeheal-loadgen [pause]=kubeheal-pause)

e2e_ensure_images() {
  if [[ $E2E_MODE == kind ]]; then
    "$E2E_ROOT/hack/kind-up.sh" build
    return
  fi
  local name missing_bin=() stale=()
  for name in "${e2e_images[@]}"; do
    [[ -x $E2E_BUILD_DIR/bin/${e2e_binary_of[$name]} ]] || missing_bin+=("$name")
  done
  if ((${#missing_bin[@]})); then
    e2e_say "building ${missing_bin[*]} in $E2E_BUILD_DIR (JOBS=${JOBS:-2})"
    JOBS=${JOBS:-2} "$E2E_ROOT/hack/build.sh" "$E2E_BUILD_DIR" >"$E2E_ARTIFACTS/build.log" 2>&1 || {
      e2e_say "FAILED: build; see $E2E_ARTIFACTS/build.log"; tail -n 30 "$E2E_ARTIFACTS/build.log" >&2; return 1; }
  fi
  for name in "${e2e_images[@]}"; do
    local tar=$E2E_IMAGES_DIR/$name.tar bin=$E2E_BUILD_DIR/bin/${e2e_binary_of[$name]}
    [[ -f $tar && ! $bin -nt $tar ]] || stale+=("$name")
  done
  if ((${#stale[@]})) || [[ ! -f $E2E_IMAGES_DIR/prometheus.tar ]]; then
    docker info >/dev/null 2>&1 || "$E2E_ROOT/hack/docker-up.sh" >&2 || {
      e2e_say "FAILED: no Docker engine (hack/docker-up.sh)"; return 1; }
  fi
  if ((${#stale[@]})); then
    e2e_say "images missing or older than their binary: ${stale[*]}; building them"
    [[ $E2E_IMAGES_DIR == "$E2E_BUILD_DIR/images" ]] || {
      e2e_say "FAILED: KUBEHEAL_IMAGES_DIR=$E2E_IMAGES_DIR lacks ${stale[*]}; hack/images.sh writes <build dir>/images"; return 1; }
    "$E2E_ROOT/hack/images.sh" "$E2E_BUILD_DIR" "${stale[@]}" >&2 || { e2e_say "FAILED: hack/images.sh"; return 1; }
  fi
  if [[ ! -f $E2E_IMAGES_DIR/prometheus.tar ]]; then
    e2e_say "kubeheal/prometheus:dev missing; building it (cold: Prometheus from its Go module, long)"
    "$E2E_ROOT/hack/cluster/prometheus-image.sh" "$E2E_IMAGES_DIR" >&2 || {
      e2e_say "FAILED: hack/cluster/prometheus-image.sh"; return 1; }
  fi
  e2e_say "images ready in $E2E_IMAGES_DIR"
}

e2e_ensure_cluster() {
  if [[ $E2E_MODE == kind ]]; then
    eval "$("$E2E_ROOT/hack/kind-up.sh" env)"
    if ! kubectl get --raw /readyz >/dev/null 2>&1; then
      "$E2E_ROOT/hack/kind-up.sh" create || return 1
      E2E_STARTED_CLUSTER=1
    fi
  else
    eval "$("$E2E_ROOT/hack/cluster.sh" env)"
    if "$E2E_ROOT/hack/cluster.sh" status >/dev/null 2>&1; then
      e2e_say "local cluster already up; using it"
    else
      # No retry: a failed start is a defect to fix, and cluster.sh keeps what it saw in
      # logs/last-failure/ (exit statuses recorded by hack/lib/processes.sh).
      "$E2E_ROOT/hack/cluster.sh" up || return 1
      E2E_STARTED_CLUSTER=1
    fi
  fi
  export KUBECONFIG
}

e2e_load_images() {
  if [[ $E2E_MODE == kind ]]; then
    "$E2E_ROOT/hack/kind-up.sh" load
  else
    "$E2E_ROOT/hack/cluster.sh" load-images "$E2E_IMAGES_DIR"
  fi
}

e2e_install() {
  local existed=0
  if kubectl -n "$E2E_NS" get deploy "$E2E_OPERATOR" >/dev/null 2>&1; then
    existed=1
    e2e_clean_scenarios
  fi
  "$E2E_ROOT/hack/cluster/install-chart.sh" "$E2E_MODE" || return 1
  local replicas
  replicas=$(kubectl -n "$E2E_NS" get deploy "$E2E_OPERATOR" -o jsonpath='{.spec.replicas}')
  [[ $replicas -ge 2 ]] || { e2e_say "FAILED: operator has $replicas replicas (want 2: is its image there?)"; return 1; }
  if [[ $existed == 1 ]]; then
    # Same tags, maybe newer images: restart so that the operator and the agent sidecars under
    # test are the ones just loaded (Prometheus keeps its history). New pods mean the policies'
    # detectors learn them again: e2e_wait_baseline waits for that.
    local d deployments=("$E2E_OPERATOR" orders payments users loadgen)
    e2e_say "release existed: restarting ${deployments[*]} to run the images just loaded"
    for d in "${deployments[@]}"; do
      kubectl -n "$E2E_NS" rollout restart deploy "$d" >/dev/null || return 1
    done
    for d in "${deployments[@]}"; do
      kubectl -n "$E2E_NS" rollout status deploy "$d" --timeout=180s >&2 || return 1
    done
  fi
  e2e_wait_until 60 "an operator replica holds the Lease" e2e_leader >/dev/null || return 1
  e2e_say "operator: 2 replicas, leader $(e2e_leader)"
}

# Deletes the FaultScenarios of earlier drills (their finalizer needs a running operator; when
# none answers within 60s the finalizer is dropped: the faults end at their expiry anyway).
e2e_clean_scenarios() {
  local names
  names=$(kubectl -n "$E2E_NS" get faultscenarios -l kubeheal.io/e2e-drill -o name 2>/dev/null) || return 0
  [[ -n $names ]] || return 0
  # shellcheck disable=SC2086
  kubectl -n "$E2E_NS" delete $names --wait=true --timeout=60s >/dev/null 2>&1 || {
    local n
    for n in $names; do
      kubectl -n "$E2E_NS" patch "$n" --type=merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1 || true
    done
  }
}

e2e_leader() { python3 "$E2E_DIR/checks.py" leader "$E2E_NS" "$E2E_LEASE" 2>/dev/null; }

# e2e_wait_until SECONDS WHAT CMD...: polls CMD every 5s until it succeeds.
e2e_wait_until() {
  local limit=$1 what=$2 start=$SECONDS
  shift 2
  until "$@"; do
    if ((SECONDS - start >= limit)); then
      e2e_say "FAILED: $what: not within ${limit}s"
      return 1
    fi
    sleep 5
  done
}

e2e_prom_query() {
  local q
  q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1")
  kubectl get --raw "/api/v1/namespaces/$E2E_NS/services/$E2E_RELEASE-kubeheal-prometheus:9090/proxy/api/v1/query?query=$q" 2>/dev/null |
    python3 -c 'import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")'
}

e2e_scraped_once() {
  local want up
  want=$(kubectl -n "$E2E_NS" get pods -l kubeheal.io/agent=true --field-selector=status.phase=Running -o name | wc -l)
  up=$(e2e_prom_query "count(up{namespace=\"$E2E_NS\",kubeheal_io_agent=\"true\"} == 1)")
  e2e_say "Prometheus: ${up:-0} of $want agent pods scraped"
  [[ $want -gt 0 && ${up:-0} == "$want" ]]
}

e2e_wait_scraped() { e2e_wait_until 180 "Prometheus scrapes every agent" e2e_scraped_once; }

e2e_baseline_once() {
  local line rc=0
  line=$(python3 "$E2E_DIR/checks.py" baseline "$E2E_NS" "$@") || rc=$?
  e2e_say "baseline: $line"
  return "$rc"
}

# The sample policies evaluate every 15s and their z-score/EWMA detectors need 20 points: ~5 min
# on a fresh Prometheus (an operator restart warms from Prometheus' history instead).
e2e_wait_baseline() {
  local policies=("$@")
  ((${#policies[@]})) || policies=(orders payments users)
  e2e_wait_until "${E2E_BASELINE_TIMEOUT:-600}" "warmed baseline of ${policies[*]}" \
    e2e_baseline_once "${policies[@]}"
}

e2e_drill_file() {
  local f
  for f in "$E2E_DIR/drills/$1"-*.yaml; do
    [[ -f $f ]] && { echo "$f"; return 0; }
  done
  echo "e2e: no drill $1 in $E2E_DIR/drills" >&2
  return 1
}

e2e_scenarios_of() { awk '/^kind: FaultScenario/ {fs=1} fs && /^  name:/ {print $2; fs=0}' "$1"; }
e2e_policies_of() { grep -oE 'policyRef: \{name: [a-z0-9-]+\}' "$1" | awk '{print $3}' | tr -d '}' | sort -u; }

# Waits (at most E2E_SETTLE_TIMEOUT, default 240s) until the policies hold no temporary action
# and are not mid-remediation, and every sample Deployment is back at the replicas it had before
# the first drill (a scale-back still pending after recovery moves pods under the next drill),
# so that one drill does not start inside the previous one.
declare -A E2E_BASE_REPLICAS=()
e2e_settle() {
  local limit=${E2E_SETTLE_TIMEOUT:-240} start=$SECONDS p busy d
  if ((${#E2E_BASE_REPLICAS[@]} == 0)); then
    for d in orders payments users; do
      E2E_BASE_REPLICAS[$d]=$(kubectl -n "$E2E_NS" get deploy "$d" -o jsonpath='{.spec.replicas}' 2>/dev/null)
    done
  fi
  while :; do
    busy=""
    for d in "${!E2E_BASE_REPLICAS[@]}"; do
      local want=${E2E_BASE_REPLICAS[$d]} have
      have=$(kubectl -n "$E2E_NS" get deploy "$d" -o jsonpath='{.spec.replicas}/{.status.readyReplicas}/{.status.replicas}' 2>/dev/null)
      [[ -z $want || $have == "$want/$want/$want" ]] || busy+=" $d(replicas $have, want $want)"
    done
    for p in "$@"; do
      local state
      state=$(kubectl -n "$E2E_NS" get healingpolicy "$p" \
        -o jsonpath='{.status.phase} {.status.activeActions[*].action}' 2>/dev/null)
      case $state in
        Healthy | "Healthy " | Recovered | "Recovered ") ;;
        *) busy+=" $p($state)" ;;
      esac
    done
    [[ -z $busy ]] && return 0
    if ((SECONDS - start >= limit)); then
      e2e_say "policies still busy after ${limit}s:$busy; starting anyway"
      return 0
    fi
    sleep 5
  done
}

# e2e_follow FILE [TIMEOUT]: delete + apply the scenarios of FILE and print the live timeline.
# Sets E2E_FOLLOW_LOG (the timeline with its RESULT lines).
e2e_follow() {
  local file=$1 timeout=${2:-420} names
  mapfile -t names < <(e2e_scenarios_of "$file")
  kubectl -n "$E2E_NS" delete faultscenario "${names[@]}" --ignore-not-found --wait=true --timeout=60s >/dev/null 2>&1 || true
  E2E_FOLLOW_LOG=$E2E_ARTIFACTS/$(basename "$file" .yaml).timeline
  kubectl -n "$E2E_NS" apply -f "$file" >/dev/null || { e2e_say "FAILED: kubectl apply -f $file"; return 1; }
  e2e_say "applied $(basename "$file"): ${names[*]}"
  python3 -u "$E2E_DIR/follow.py" "$E2E_NS" "$timeout" "${names[@]}" | tee "$E2E_FOLLOW_LOG" | grep --line-buffered -v '^RESULT '
  return "${PIPESTATUS[0]}"
}

# Fields of the RESULT lines of the last e2e_follow: e2e_result FIELD -> one value per scenario.
e2e_result() {
  grep '^RESULT ' "$E2E_FOLLOW_LOG" | sed 's/^RESULT //' | python3 -c '
import json, sys
for line in sys.stdin:
    v = json.loads(line).get(sys.argv[1])
    print(",".join(v) if isinstance(v, list) else ("-" if v in (None, "") else v))' "$1"
}

e2e_dump() {
  local out=$E2E_ARTIFACTS/dump-$(date -u +%H%M%S) sc pol p
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
  now=$(python3 "$E2E_DIR/checks.py" holder "$E2E_NS" "$E2E_LEASE" 2>/dev/null)
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
  identity=$(python3 "$E2E_DIR/checks.py" holder "$E2E_NS" "$E2E_LEASE" 2>/dev/null)
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
    now_holder=$(python3 "$E2E_DIR/checks.py" holder "$E2E_NS" "$E2E_LEASE" 2>/dev/null)
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
