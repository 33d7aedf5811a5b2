#!/usr/bin/env bash
# Makes (once) a Python virtualenv with scikit-learn from PyPI for the Isolation Forest
# comparison in hack/bench-detectors.sh, and prints the path of its python.
# Cached under ~/.cache/kubeheal/venv; quiet when already there.
set -euo pipefail
venv=${KUBEHEAL_SKLEARN_VENV:-$HOME/.cache/kubeheal/venv}
python=$venv/bin/python
if [[ -x "$python" ]] && "$python" -c 'import sklearn, numpy' 2>/dev/null; then
  echo "$python"
  exit 0
fi
mkdir -p "$(dirname "$venv")"
log=$(dirname "$venv")/venv-install.log
echo "sklearn-venv: creating $venv (scikit-learn from PyPI)" >&2
if ! { python3 -m venv "$venv" && "$python" -m pip install -q --disable-pip-version-check \
         'scikit-learn>=1.3' numpy; } >"$log" 2>&1; then
  echo "sklearn-venv: failed; last lines of $log:" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
echo "$python"
