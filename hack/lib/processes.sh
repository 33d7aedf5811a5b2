# shellcheck shell=bash
# Background processes of a hack/ script, tracked by pid files in the script's state dir.
# Sourced by hack/control-plane.sh and hack/cluster.sh. The caller defines:
#   dir   the state dir: pid files go there, and every command started mentions "$dir/" on its
#         command line (that is how a recycled pid is told apart from ours)
#   say   a function that prints one progress line to stderr

pid_file() { echo "$dir/$1.pid"; }

# True when the pid file names a live (not zombie) process started for this state dir.
is_running() {
  local f pid cmdline
  f=$(pid_file "$1")
  [[ -f $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || return 1
  # Read first, then match: `tr | grep -q` under pipefail fails at random when grep exits
  # early and tr gets SIGPIPE.
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$dir/"* ]]
}

# stop_process NAME [SIGNAL]: signal it, wait up to 20 s for it to exit, then SIGKILL.
stop_process() {
  local name=$1 sig=${2:-TERM} f pid i
  f=$(pid_file "$name")
  if ! is_running "$name"; then
    rm -f "$f"
    return 0
  fi
  pid=$(<"$f")
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    # A zombie (not reaped yet because our parent is gone) counts as stopped.
    [[ -d /proc/$pid && $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || break
    sleep 0.1
  done
  if [[ -d /proc/$pid && $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]]; then
    say "$name (pid $pid) ignored SIG$sig for 20 s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$f"
  say "stopped $name (pid $pid)"
}

# spawn NAME LOGFILE CMD...: starts CMD detached (own session, stdio to the log, so neither a
# terminal nor ctest waiting on our output pipes keeps it tied to us) and records its pid.
spawn() {
  local name=$1 log_file=$2
  shift 2
  : >"$log_file"
  # 8>&-: the child must not inherit (and so hold) our lock on the state dir.
  setsid "$@" </dev/null >>"$log_file" 2>&1 8>&- &
  local pid=$! i
  echo "$pid" >"$(pid_file "$name")"
  # Until the child has exec'd the program its cmdline is still this script's, and is_running
  # would call it dead (a random "exited during startup" under load): wait for the exec.
  for ((i = 0; i < 100; i++)); do
    is_running "$name" || [[ ! -d /proc/$pid ]] || { sleep 0.05; continue; }
    break
  done
}
