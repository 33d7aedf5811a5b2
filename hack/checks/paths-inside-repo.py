#!/usr/bin/env python3
"""Fails when a tracked file refers to a path outside the repository.

A clone must stand on its own: no document, script or test may send its reader (or itself) to
a file beside the clone. Checked in every tracked text file:
  1. a relative path that climbs out of the repository: `../x` tokens (resolved from the
     file's folder and from the repository root; outside from both is an error);
  2. Markdown links to repository files that do not exist (a moved document);
  3. absolute paths into the build machine's workspace (/work/...).
Usage: hack/checks/paths-inside-repo.py [REPO]   exit 0 clean, 1 with one line per finding
       hack/checks/paths-inside-repo.py --self-test   the check against a made-up repository
"""
import os
import re
import subprocess
import sys

ROOT = os.path.realpath(sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "--self-test" else
                       os.path.join(os.path.dirname(__file__), "..", ".."))
# Tokens like ../shared/x or ../../a/b (a path that starts by climbing); stops at quotes,
# spaces, brackets and backticks.
CLIMB = re.compile(r"(?<![\w.$}/)-])((?:\.\./)+[A-Za-z0-9_.][^\s'\"`()<>\[\]{},;:|*]*)")
SELF = "hack/checks/paths-inside-repo.py"
MD_LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")
WORKSPACE = re.compile(r"(?<![\w.])/work/[A-Za-z.]")
# The repository root joined with "..": C++ `SOURCE_DIR) / ".."`, shell `$repo/..`, CMake
# `${CMAKE_SOURCE_DIR}/..`.
ROOT_PARENT = re.compile(r"(SOURCE_DIR\)?\s*/\s*\"\.\.\"|\$\{?(repo|ROOT|E2E_ROOT|CMAKE_SOURCE_DIR|KUBEHEAL_SOURCE_DIR)\}?/\.\.(/|\b))")


def self_test():
    """Each kind of finding is found, and a clean tree passes: the check can fail."""
    import tempfile
    bad = {
        "README.md": "See [design](../shared/design.md) and [gone](docs/missing.md).\n",
        "t.cc": 'auto p = fs::path(KUBEHEAL_SOURCE_DIR) / ".." / "data";\n',
        "a.sh": 'nab=${NAB:-../shared/datasets/nab}\nx=$repo/../other\ny=/work/shared/x\n',
    }
    good = {
        "README.md": "See [design](docs/design.md) and [web](https://example.com/a).\n",
        "docs/design.md": "Back to [the README](../README.md); `../README.md`.\n",
        "hack/a.sh": 'cd "$(dirname "$0")/.."\nsource ../docs/design.md\n',
    }
    ok = True
    for name, files, want in (("bad", bad, 6), ("good", good, 0)):
        with tempfile.TemporaryDirectory() as d:
            for rel, text in files.items():
                os.makedirs(os.path.join(d, os.path.dirname(rel)), exist_ok=True)
                with open(os.path.join(d, rel), "w") as f:
                    f.write(text)
            subprocess.run(["git", "init", "-q", d], check=True)
            subprocess.run(["git", "-C", d, "add", "."], check=True)
            found, _ = scan(os.path.realpath(d))
            if len(found) != want:
                ok = False
                print(f"paths-inside-repo self-test: {name} tree: {len(found)} finding(s), "
                      f"want {want}: {found}")
    print("paths-inside-repo self-test: " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


def tracked_files(root):
    out = subprocess.run(["git", "-C", root, "ls-files", "-z"], check=True,
                         capture_output=True).stdout
    return [p for p in out.decode().split("\0") if p]


def scan(root):
    def inside(path):
        real = os.path.normpath(path)
        return real == root or real.startswith(root + os.sep)

    findings = []
    files = tracked_files(root)
    for rel in files:
        path = os.path.join(root, rel)
        # Test data is data; this checker spells the patterns it looks for.
        if rel.startswith("tests/data/") or rel == SELF or not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except (UnicodeDecodeError, OSError):
            continue  # binary files hold no paths a reader follows
        here = os.path.dirname(path)
        for n, line in enumerate(lines, 1):
            for m in CLIMB.finditer(line):
                token = m.group(1).rstrip(".")
                if not inside(os.path.join(here, token)) and not inside(os.path.join(root, token)):
                    findings.append(f"{rel}:{n}: '{token}' is outside the repository")
            if ROOT_PARENT.search(line):
                findings.append(f"{rel}:{n}: the repository root's parent folder")
            if WORKSPACE.search(line):
                findings.append(f"{rel}:{n}: absolute path into the build machine's /work/")
            if rel.endswith(".md"):
                for m in MD_LINK.finditer(line):
                    target = m.group(1)
                    if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                        continue  # http:, https:, mailto:
                    resolved = os.path.join(root, target.lstrip("/")) if target.startswith("/") \
                        else os.path.join(here, target)
                    if not inside(resolved):
                        findings.append(f"{rel}:{n}: link '{target}' leaves the repository")
                    elif not os.path.exists(resolved):
                        findings.append(f"{rel}:{n}: link '{target}' names no file in the repository")
    return findings, len(files)


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    findings, count = scan(ROOT)
    for f in findings:
        print(f"paths-inside-repo: {f}")
    if findings:
        print(f"paths-inside-repo: {len(findings)} reference(s) outside the repository or broken; "
              "a clone must carry what it points to", file=sys.stderr)
        return 1
    print(f"paths-inside-repo: {count} tracked files, no reference outside the repository")
    return 0


if __name__ == "__main__":
    sys.exit(main())
