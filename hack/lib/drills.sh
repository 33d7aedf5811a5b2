# shellcheck shell=bash
# The building blocks of kubeheal's drills on a real cluster: `make demo` (hack/demo.sh) and the
# end-to-end drills (tests/e2e/lib.sh adds the drill-specific checks, the summary and the
# teardown). Source it from bash; it sets no shell options and changes no directory. Every
# function prints progress lines "[e2e  42s] ..." (seconds since e2e_init) to stderr and returns
# non-zero on failure with a line saying what failed.
#
#   e2e_init MODE                 MODE local (hack/cluster.sh) or kind (hack/kind-up.sh); sets
#                                 the variables below and starts the clock
#   e2e_stage NAME CMD...         runs CMD, records how long it took under NAME
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
#   e2e_wait_until SECONDS WHAT CMD...   polls CMD every 5 s
#   e2e_drill_file N              path of drill N's manifest ($E2E_DRILL_DIR/N-*.yaml)
#   e2e_settle POLICY...          waits until the policies are at rest before the next drill
#   e2e_follow FILE [TIMEOUT]     applies a FaultScenario manifest and prints its live timeline
#                                 until the verdict; 0 = every scenario in it Passed (no
#                                 drill-specific checks)
#   e2e_result FIELD              a field of the last e2e_follow's RESULT lines, one per scenario
#   e2e_prom_query QUERY          instant query through the API server's service proxy; prints
#                                 the first value (works on both paths, no port-forward)
#   e2e_leader                    the operator pod holding the Lease
#
# Python helpers beside this file: drill-follow.py (the live timeline), drill_state.py
# (baseline, Lease holder). The drill manifests are data of the end-to-end tests:
# tests/e2e/drills/ (E2E_DRILL_DIR; E2E_DRILLS is the list of drills run.sh runs).
#
# Environment: KUBEHEAL_E2E_NAMESPACE (kubeheal-e2e), KUBEHEAL_E2E_RELEASE (kh),
# KUBEHEAL_E2E_BUILD_DIR (build), KUBEHEAL_IMAGES_DIR (<build dir>/images), JOBS (2),
# E2E_ARTIFACTS (dumps and logs; default /tmp/kubeheal-e2e-<time>).

E2E_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_ROOT=$(cd "$E2E_LIB/../.." && pwd)
E2E_DRILL_DIR=$E2E_ROOT/tests/e2e/drills

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
  # shellcheck disable=SC2034  # the caller's state: read by tests/e2e (run.sh, soak.sh, lib.sh)
  E2E_STARTED_CLUSTER=0 E2E_ROWS=() E2E_FAILED=0
  E2E_STAGES=()
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

# The images and their binaries: hack/images.sh's table.
e2e_images=()
declare -A e2e_binary_of=()
e2e_read_image_table() {
  local name binary
  while read -r name binary _; do
    e2e_images+=("$name")
    e2e_binary_of[$name]=$binary
  done < <("$E2E_ROOT/hack/images.sh" --list)
}
e2e_read_image_table

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
      # shellcheck disable=SC2034  # read by the caller (tests/e2e/run.sh: tear down what it started)
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
  # shellcheck disable=SC2086  # one word per scenario name is intended
  kubectl -n "$E2E_NS" delete $names --wait=true --timeout=60s >/dev/null 2>&1 || {
    local n
    for n in $names; do
      kubectl -n "$E2E_NS" patch "$n" --type=merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1 || true
    done
  }
}

e2e_leader() { python3 "$E2E_LIB/drill_state.py" leader "$E2E_NS" "$E2E_LEASE" 2>/dev/null; }

# e2e_poll SECONDS CMD...: runs CMD every 5s until it succeeds (0) or SECONDS have passed (1).
e2e_poll() {
  local limit=$1 start=$SECONDS
  shift
  until "$@"; do
    ((SECONDS - start >= limit)) && return 1
    sleep 5
  done
}

# e2e_wait_until SECONDS WHAT CMD...: e2e_poll that reports a timeout as a failure of WHAT.
e2e_wait_until() {
  local limit=$1 what=$2
  shift 2
  e2e_poll "$limit" "$@" || {
    e2e_say "FAILED: $what: not within ${limit}s"
    return 1
  }
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
  line=$(python3 "$E2E_LIB/drill_state.py" baseline "$E2E_NS" "$@") || rc=$?
  e2e_say "baseline: $line"
  return "$rc"
}

# The sample policies evaluate every 15s and their z-score/EWMA detectors need 20 points: ~5 min
# on a fresh Prometheus (an operator restart warms from Prometheus' history instead).
# shellcheck disable=SC2120  # POLICY... is optional (default: the three sample policies)
e2e_wait_baseline() {
  local policies=("$@")
  ((${#policies[@]})) || policies=(orders payments users)
  e2e_wait_until "${E2E_BASELINE_TIMEOUT:-600}" "warmed baseline of ${policies[*]}" \
    e2e_baseline_once "${policies[@]}"
}

e2e_drill_file() {
  local f
  for f in "$E2E_DRILL_DIR/$1"-*.yaml; do
    [[ -f $f ]] && { echo "$f"; return 0; }
  done
  echo "e2e: no drill $1 in $E2E_DRILL_DIR" >&2
  return 1
}

e2e_scenarios_of() { awk '/^kind: FaultScenario/ {fs=1} fs && /^  name:/ {print $2; fs=0}' "$1"; }
e2e_policies_of() { grep -oE 'policyRef: \{name: [a-z0-9-]+\}' "$1" | awk '{print $3}' | tr -d '}' | sort -u; }

# Waits (at most E2E_SETTLE_TIMEOUT, default 240s) until the policies hold no temporary action
# and are not mid-remediation, and every sample Deployment is back at the replicas it had before
# the first drill (a scale-back still pending after recovery moves pods under the next drill),
# so that one drill does not start inside the previous one.
declare -A E2E_BASE_REPLICAS=()
E2E_BUSY=""
# e2e_settled_once POLICY...: true when all is settled; otherwise E2E_BUSY says what is not.
e2e_settled_once() {
  local p d busy=""
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
  E2E_BUSY=$busy
  [[ -z $busy ]]
}

e2e_settle() {
  local limit=${E2E_SETTLE_TIMEOUT:-240} d
  if ((${#E2E_BASE_REPLICAS[@]} == 0)); then
    for d in orders payments users; do
      E2E_BASE_REPLICAS[$d]=$(kubectl -n "$E2E_NS" get deploy "$d" -o jsonpath='{.spec.replicas}' 2>/dev/null)
    done
  fi
  e2e_poll "$limit" e2e_settled_once "$@" ||
    e2e_say "policies still busy after ${limit}s:$E2E_BUSY; starting anyway"
  return 0
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
  python3 -u "$E2E_LIB/drill-follow.py" "$E2E_NS" "$timeout" "${names[@]}" | tee "$E2E_FOLLOW_LOG" | grep --line-buffered -v '^RESULT '
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

