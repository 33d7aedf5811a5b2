# shellcheck shell=bash
# Background processes of a hack/ script, tracked by pid files in the script's state dir.
# Sourced by hack/control-plane.sh and hack/cluster.sh. The caller defines:
#   dir   the state dir: pid files go there, and every command started mentions "$dir/" on its
#         command line (that is how a recycled pid is told apart from ours)
#   say   a function that prints one progress line to stderr
# shellcheck disable=SC2154  # dir: set by the sourcing script, see above

pid_file() { echo "$dir/$1.pid"; }
# The wait status of a program spawn started, written by its waiting parent when it ends.
exit_file() { echo "$dir/$1.exit"; }

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
# terminal nor ctest waiting on our output pipes keeps it tied to us) and records its pid in
# NAME.pid. A small bash of its own stays the program's parent, waits for it and writes its wait
# status to NAME.exit: whether a program has exited is then a fact read from a file, never a
# guess from /proc (a process read while it exec's shows an empty command line). Being started
# in the background of a non-interactive shell, CMD ignores SIGINT and SIGQUIT; stop it with
# stop_process (SIGTERM).
spawn() {
  local name=$1 log_file=$2 f i
  shift 2
  f=$(pid_file "$name")
  rm -f "$f" "$f.tmp" "$(exit_file "$name")"
  : >"$log_file"
  # 8>&-: the child must not inherit (and so hold) our lock on the state dir.
  # shellcheck disable=SC2016  # the script is expanded by the inner bash, with its own $0 and $@
  setsid bash -c 'f=$0
    "$@" &
    echo $! >"$f.tmp" && mv -f "$f.tmp" "$f"
    wait $!
    echo $? >"${f%.pid}.exit.tmp" && mv -f "${f%.pid}.exit.tmp" "${f%.pid}.exit"' "$f" "$@" \
    </dev/null >>"$log_file" 2>&1 8>&- &
  for ((i = 0; i < 200; i++)); do
    [[ -s $f ]] && return 0
    sleep 0.05
  done
  say "$name: no pid recorded 10 s after starting it (see $log_file)"
}

# has_exited NAME: true once the program spawn started has ended (its wait status is recorded),
# or, for a pid file without a status (its waiting parent killed too), once no live process of
# ours has that pid.
has_exited() {
  [[ -f $(exit_file "$1") ]] && return 0
  is_running "$1" && return 1
  # No status and no process: its parent may be writing the status right now.
  sleep 0.3
  [[ -f $(exit_file "$1") ]] || ! is_running "$1"
}

# exit_reason NAME: how the program ended, from its recorded wait status ("exit status 1",
# "killed by SIGKILL"), or "no exit status recorded".
exit_reason() {
  local f status
  f=$(exit_file "$1")
  [[ -f $f ]] || { echo "no exit status recorded"; return 0; }
  status=$(<"$f")
  if [[ $status =~ ^[0-9]+$ ]] && ((status > 128)); then
    echo "killed by SIG$(kill -l $((status - 128)) 2>/dev/null || echo "#$((status - 128))")"
  else
    echo "exit status $status"
  fi
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
