#!/usr/bin/env bash
# kubeheal's end-to-end drills on a real Kubernetes: the single entry point of both paths.
#
#   tests/e2e/run.sh local    the single-node cluster from parts (hack/cluster.sh; needs root)
#   tests/e2e/run.sh kind     a kind cluster (hack/kind-up.sh; machines with internet)
#
# Steps: images (built when missing), cluster (brought up unless up), images loaded, chart
# installed with the samples, the bundled Prometheus and the operator (2 replicas, leader
# election; hack/cluster/values-e2e.yaml), Prometheus scraping every agent, a 10-minute soak of
# normal traffic with restarts and a leader move that must end without any healing action, the
# sample HealingPolicies' baselines warmed, then the drills of tests/e2e/drills/ one after another
# (latency, errors, crash loop, traffic flood, memory leak, cascade, operator failover): each
# a FaultScenario with `expect`, followed live until its verdict, plus the
# checks the verdict does not cover (1-6: only the faulted services' policies act; 3: pods
# Ready again; 4: new pods Ready, scaled back in; 5: no OOMKilled; 6: every policy acts on its
# own signals, no flapping, orders waited on its dependencies; 7: leader SIGKILLed
# mid-drill, another process takes the Lease within its duration + a retry period and finishes,
# no action taken twice, faults lapse). A failing drill dumps
# the policy and scenario status, Events and operator logs, and the run goes on. Ends with a
# summary table; exit 1 when any drill or stage failed.
#
# Environment:
#   E2E_DRILLS="1 2"           drills to run (default: 1 2 3 4 5 6 7)
#   E2E_SOAK_MINUTES=10        the soak before the drills (tests/e2e/soak.sh; 0 = none)
#   E2E_KEEP=1                 keep the cluster afterwards; E2E_KEEP=0 always tears it down;
#                              unset: torn down only when this run brought it up
#   KUBEHEAL_E2E_BUILD_DIR     build dir with the binaries, images in <dir>/images (default build)
#   KUBEHEAL_IMAGES_DIR        image tarballs (default <build dir>/images)
#   E2E_ARTIFACTS              where timelines and dumps go (default /tmp/kubeheal-e2e-<time>)
#   KUBEHEAL_E2E_NAMESPACE, KUBEHEAL_E2E_RELEASE, JOBS (build parallelism, default 2)
set -euo pipefail
mode=${1:-local}
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/soak.sh
source "$(dirname "$0")/soak.sh"
e2e_init "$mode"
read -r -a drills <<<"${E2E_DRILLS:-1 2 3 4 5 6 7}"
e2e_say "kubeheal e2e, $mode path, drills ${drills[*]}; artifacts in $E2E_ARTIFACTS"

finish() {
  local rc=$?
  e2e_sampler_stop 2>/dev/null || true
  trap - EXIT
  e2e_summary || rc=1
  if [[ ${E2E_KEEP:-} == 1 ]] || [[ -z ${E2E_KEEP:-} && $E2E_STARTED_CLUSTER == 0 ]]; then
    e2e_say "cluster kept (eval \"\$($([[ $mode == kind ]] && echo hack/kind-up.sh || echo hack/cluster.sh) env)\"; kubectl -n $E2E_NS get hp,fs)"
  else
    e2e_say "tearing the cluster down"
    local t=$SECONDS
    e2e_teardown >&2 || true
    e2e_say "cluster down in $((SECONDS - t))s"
  fi
  # Last, so that a log cut to its tail (CI's) still says what failed and where to look.
  e2e_failures
  exit "$rc"
}
trap finish EXIT

setup_failed() { E2E_FAILED=1; e2e_say "FAILED: $1; no drill can run"; exit 1; }
e2e_stage "images" e2e_ensure_images || setup_failed "images"
e2e_stage "cluster up" e2e_ensure_cluster || setup_failed "cluster"
e2e_stage "images load" e2e_load_images || setup_failed "loading the images"
e2e_stage "chart install" e2e_install || setup_failed "chart install"
e2e_stage "Prometheus scrape" e2e_wait_scraped || setup_failed "Prometheus does not scrape the agents"
# No false actions: a short soak (tests/e2e/soak.sh) from the install on, the warm-up inside it.
if ((${E2E_SOAK_MINUTES:-10} > 0)); then
  e2e_stage "soak ${E2E_SOAK_MINUTES:-10} min" e2e_soak "${E2E_SOAK_MINUTES:-10}" || E2E_FAILED=1
fi
e2e_stage "baseline warm-up" e2e_wait_baseline || setup_failed "the policies' baseline did not warm"

for n in "${drills[@]}"; do
  e2e_stage "drill $n" e2e_run_drill "$n" || E2E_FAILED=1  # e.g. no such drill: the run fails
done
