# shellcheck shell=bash
# Progress and failure lines of the hack/ scripts that run local processes (hack/control-plane.sh,
# hack/cluster.sh). The caller sets, before calling say or fail:
#   log_tag    what every line starts with: "control-plane" gives "[control-plane] ..."
#   log_clock  optional; 1 adds the seconds since this file was sourced: "[cluster  12s] ..."
#   logs       optional; the directory of the components' logs, one NAME.log per component
# and may define on_failure, which fail calls just before it exits (hack/cluster.sh keeps the
# attempt's logs there).
# shellcheck disable=SC2154  # log_tag (and logs): set by the sourcing script, see above

log_t0=$SECONDS

say() {
  if [[ ${log_clock:-0} == 1 ]]; then
    echo "[$log_tag $(printf '%3d' $((SECONDS - log_t0)))s] $*" >&2
  else
    echo "[$log_tag] $*" >&2
  fi
}

# fail STEP MESSAGE [LOGFILE]: one line "FAILED: STEP: MESSAGE", then the end of LOGFILE and where
# it is (default $logs/STEP.log, when STEP is a component with a log); exits 1.
fail() {
  local step=$1 message=$2 log_file=${3:-}
  [[ -n $log_file || -z ${logs:-} ]] || log_file=$logs/$step.log
  say "FAILED: $step: $message"
  if [[ -n $log_file && -f $log_file ]]; then
    say "last lines of $log_file:"
    tail -n 25 "$log_file" >&2
    say "full log: $log_file"
  fi
  if declare -F on_failure >/dev/null; then on_failure; fi
  exit 1
}
