#!/usr/bin/env bash
# The C++ half of the lint stage of `make test` (issue 12 item 7); fails on any finding.
#   hack/checks/cpp-lint.sh [--fix-format] [BUILD_DIR]      (default BUILD_DIR: build)
#   1. clang-format (.clang-format) on every tracked *.cc and *.h: no file may change;
#      --fix-format rewrites them instead (`make format`) and skips step 2.
#   2. clang-tidy (.clang-tidy: bugprone, performance, concurrency, clang-analyzer) on every
#      translation unit of operator/, agent/ and detectors/, from BUILD_DIR's compile database
#      (configured if missing). Each suppression in the code is a NOLINT naming the check and
#      the reason.
# clang-tidy takes 10-25 s per file, so a clean result is cached under
# ~/.cache/kubeheal/clang-tidy, keyed by the clang-tidy version, .clang-tidy, the file's flags
# and its preprocessed text (paths made relative): an unchanged file is not checked twice,
# also from a fresh clone elsewhere. Findings are never cached.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
fix=0
if [[ ${1:-} == --fix-format ]]; then fix=1; shift; fi
build=${1:-build}
jobs=${JOBS:-$(nproc)}

for tool in clang-format clang-tidy; do
  command -v "$tool" >/dev/null || {
    echo "cpp-lint: $tool not found (hack/install-deps.sh installs it)" >&2
    exit 1
  }
done

mapfile -t sources < <(git ls-files '*.cc' '*.h')
if ((fix)); then
  printf '%s\0' "${sources[@]}" | xargs -0 clang-format -i
  echo "cpp-lint: formatted ${#sources[@]} files"
  exit 0
fi

echo "cpp-lint: clang-format --dry-run on ${#sources[@]} files"
if ! printf '%s\0' "${sources[@]}" | xargs -0 clang-format --dry-run -Werror 2>"/tmp/kubeheal-format.$$"; then
  grep -E '^[^ ].*: (error|warning):' "/tmp/kubeheal-format.$$" | cut -d: -f1 | sort | uniq -c |
    awk '{ printf "  %s: %d place(s) not formatted\n", $2, $1 }' >&2
  rm -f "/tmp/kubeheal-format.$$"
  echo "cpp-lint: FAILED: clang-format: files above differ from .clang-format; run 'make format'" >&2
  exit 1
fi
rm -f "/tmp/kubeheal-format.$$"

if [[ ! -f $build/compile_commands.json ]]; then
  mkdir -p "$build"
  cmake -S . -B "$build" -G Ninja >"$build.configure.log" 2>&1 || {
    echo "cpp-lint: FAILED: cmake configure of $build; see $build.configure.log" >&2
    exit 1
  }
fi

# The compile database as clang sees it: GCC's -fcoroutines is not a clang flag, and clang 14
# needs Boost.Asio told that C++20 coroutines are there (it detects them only for GCC).
lintdb=$build/lint
mkdir -p "$lintdb"
# Also, once for all units, each unit's flags without its output and input (flags/UNIT), for
# the cache key below.
rm -rf "$lintdb/flags"
python3 - "$build/compile_commands.json" "$lintdb" "$repo" <<'EOF'
import json, os, shlex, sys
entries = json.load(open(sys.argv[1]))
lintdb, repo = sys.argv[2], sys.argv[3]
for e in entries:
    args = e["command"].split() if "arguments" not in e else e.pop("arguments")
    args = [a for a in args if a not in ("-fcoroutines",)]
    args[1:1] = ["-DBOOST_ASIO_HAS_CO_AWAIT=1", "-DBOOST_ASIO_HAS_STD_COROUTINE=1"]
    e["arguments"] = args
    e.pop("command", None)
    out, skip = [], False
    for a in args[1:]:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        if a in ("-c", e["file"]):
            continue
        out.append(a)
    path = os.path.join(lintdb, "flags", os.path.relpath(e["file"], repo))
    if os.path.exists(path):
        continue  # a file built by two targets: keep its first entry
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(shlex.join(out) + "\n")
json.dump(entries, open(os.path.join(lintdb, "compile_commands.json"), "w"), indent=1)
EOF

mapfile -t units < <(git ls-files 'operator/*.cc' 'agent/*.cc' 'detectors/*.cc')
cache=${KUBEHEAL_TIDY_CACHE:-$HOME/.cache/kubeheal/clang-tidy}
mkdir -p "$cache"
export repo lintdb cache
version=$(clang-tidy --version | tr -d '\n')
export tidy_key_base
tidy_key_base=$( (echo "$version"; cat .clang-tidy) | sha256sum | cut -c1-64)

check_one() {
  local unit=$1 flags="" key out
  # The key: what clang-tidy would see, i.e. the unit preprocessed (g++ -E -P with its own
  # flags) with the checkout's path removed, plus its flags.
  [[ -f $lintdb/flags/$unit ]] && flags=$(<"$lintdb/flags/$unit")
  if [[ -z $flags ]]; then
    echo "cpp-lint: $unit: not in the compile database (not built by CMake?)" >&2
    return 1
  fi
  key=$( {
    echo "$tidy_key_base $unit"
    echo "${flags//$repo/.}"
    eval "g++ $flags -E -P -x c++ $unit" 2>&1 | sed "s|$repo|.|g"
  } | sha256sum | cut -c1-64)
  if [[ -f $cache/$key ]]; then
    echo "cached $unit"
    return 0
  fi
  if out=$(clang-tidy -p "$lintdb" --quiet "$unit" 2>&1); then
    if grep -qE ': (warning|error):' <<<"$out"; then
      printf 'findings %s\n%s\n' "$unit" "$out"
      return 1
    fi
    echo "$unit" >"$cache/$key"
    echo "clean  $unit"
  else
    printf 'findings %s (clang-tidy failed)\n%s\n' "$unit" "$out"
    return 1
  fi
}
export -f check_one

echo "cpp-lint: clang-tidy on ${#units[@]} files of operator/, agent/, detectors/ ($jobs at a time)"
log=$build/lint/clang-tidy.log
# Progress: one line per file actually checked (cached ones are silent), the rest in $log.
set +e
# shellcheck disable=SC2016  # $1 is the child bash's argument, expanded there
printf '%s\n' "${units[@]}" | xargs -P "$jobs" -I{} bash -c 'check_one "$1"' _ {} 2>&1 |
  tee "$log" | grep --line-buffered -E '^(clean |findings )' | sed -u 's/^/cpp-lint:   /'
status=${PIPESTATUS[1]}
set -e
checked=$(grep -c '^clean ' "$log" || true)
cached=$(grep -c '^cached ' "$log" || true)
if ((status != 0)); then
  grep -E ': (warning|error):' "$log" | sort -u >&2 || true
  findings=$(grep -cE ': (warning|error):' "$log" || true)
  echo "cpp-lint: FAILED: clang-tidy: $findings finding(s) (full output: $log); $checked clean, $cached cached" >&2
  exit 1
fi
echo "cpp-lint: clang-tidy clean: $checked checked, $cached unchanged since a clean run"
