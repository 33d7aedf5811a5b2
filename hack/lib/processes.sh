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
# The pid is written by the process itself just before it execs CMD, so it names the program
# even when setsid has to fork (it does when the caller leads its process group, e.g. under
# job control; the pid of `&` was then setsid's short-lived parent, the program ran on under
# another pid, and a healthy start was reported as "exited during startup").
spawn() {
  local name=$1 log_file=$2 f i
  shift 2
  f=$(pid_file "$name")
  rm -f "$f" "$f.tmp"
  : >"$log_file"
  # 8>&-: the child must not inherit (and so hold) our lock on the state dir.
  setsid bash -c 'echo $$ >"$0.tmp" && mv -f "$0.tmp" "$0" && exec "$@"' "$f" "$@" \
    </dev/null >>"$log_file" 2>&1 8>&- &
  for ((i = 0; i < 200; i++)); do
    [[ -s $f ]] && return 0
    sleep 0.05
  done
  say "$name: no pid recorded 10 s after starting it (see $log_file)"
}

# sweep_leftovers NAME...: kills processes named NAME (their comm) whose command line mentions
# the state dir and that no pid file accounts for: what a lost or wrong pid file left behind
# (an apiserver of a torn-down cluster would otherwise run on, logging into the next one's log).
sweep_leftovers() {
  local f pid comm cmdline
  for f in /proc/[0-9]*/comm; do
    pid=${f#/proc/}
    pid=${pid%/comm}
    { read -r comm <"$f"; } 2>/dev/null || continue
    [[ " $* " == *" $comm "* ]] || continue
    cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || continue
    [[ $cmdline == *"$dir/"* ]] || continue
    say "stopping leftover $comm (pid $pid) of $dir"
    kill -KILL "$pid" 2>/dev/null || true
  done
}
