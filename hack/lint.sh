#!/usr/bin/env bash
# The lint stage of `make test` (hack/test.sh calls it); exits non-zero on any finding.
#
#   hack/lint.sh [all]          shell, then cpp; fails when either fails (both always run)
#   hack/lint.sh shell          shellcheck on every tracked shell script: *.sh and the files
#                               whose first line is a sh/bash shebang (hack/, tests/, .ci/run)
#   hack/lint.sh cpp [ARG...]   hack/checks/cpp-lint.sh ARG... (clang-format, clang-tidy)
#
# Shellcheck runs from the repository root with --external-sources, so `# shellcheck source=`
# directives name files from the root (hack/lib/ports.sh). A finding is fixed, or silenced on
# its line with `# shellcheck disable=SCnnnn  # why` (every directive says why).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

say() { echo "[lint] $*" >&2; }

# Tracked shell scripts, one per line.
shell_scripts() {
  local f first
  while IFS= read -r -d '' f; do
    [[ -f $f ]] || continue
    if [[ $f == *.sh ]]; then
      echo "$f"
    elif IFS= read -r first <"$f" 2>/dev/null && [[ $first =~ ^#!.*[/[:space:]](ba)?sh([[:space:]]|$) ]]; then
      echo "$f"
    fi
  done < <(git ls-files -z)
}

lint_shell() {
  command -v shellcheck >/dev/null ||
    { say "FAILED: shell: shellcheck not found (hack/install-deps.sh lint)"; return 1; }
  local scripts findings rc=0
  mapfile -t scripts < <(shell_scripts)
  ((${#scripts[@]})) || { say "FAILED: shell: no tracked shell script found"; return 1; }
  # gcc format: one line per finding, so they can be counted. Exit 1: findings; 2 and up: errors.
  findings=$(shellcheck --external-sources --format=gcc "${scripts[@]}" 2>&1) || rc=$?
  # A directive without its reason counts as a finding too.
  local bare
  bare=$(grep -nE '^[[:space:]]*# shellcheck disable=[A-Z0-9,]+[[:space:]]*$' "${scripts[@]}" |
    sed 's/$/  <- shellcheck disable without a reason ("# shellcheck disable=SCnnnn  # why")/') || true
  if [[ -n $bare ]]; then
    findings+=${findings:+$'\n'}$bare
    ((rc)) || rc=1
  fi
  if ((rc == 0)) && [[ -z $findings ]]; then
    say "shell: shellcheck $(shellcheck --version | sed -n 's/^version: //p'): ${#scripts[@]} scripts, no finding"
    return 0
  fi
  printf '%s\n' "$findings"
  say "FAILED: shell: $(grep -c . <<<"$findings") shellcheck finding(s) in ${#scripts[@]} scripts"
  return 1
}

lint_cpp() {
  local script=hack/checks/cpp-lint.sh
  if [[ ! -f $script ]]; then
    say "FAILED: cpp: $script does not exist (yet)"
    return 1
  fi
  "$script" "$@" || { say "FAILED: cpp: $script $*"; return 1; }
}

main() {
  local mode=${1:-all} rc=0
  shift || true
  case $mode in
    shell) lint_shell ;;
    cpp) lint_cpp "$@" ;;
    all)
      lint_shell || rc=1
      lint_cpp "$@" || rc=1
      ((rc == 0)) && say "all: shell and cpp clean"
      return "$rc"
      ;;
    *)
      sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
      return 2
      ;;
  esac
}

main "$@"
