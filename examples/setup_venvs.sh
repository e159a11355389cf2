#!/usr/bin/env bash
# Make the two virtual environments the example generators run in (outside the repo).
# torch itself is NOT installed from PyPI: it is Debian's python3-torch 1.13 (CPU),
# reached through --system-site-packages. PyPI packages in that venv go in with
# --no-deps, because pip treats Debian's "1.13.0a0" as a pre-release that does not
# satisfy "torch>=1.13" and would otherwise pull a multi-GB CUDA torch 2.x.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="${VENV_ROOT:-/work/venvs}"
mkdir -p "$root"

if [ ! -d /usr/lib/python3/dist-packages/torch ]; then
  apt-get update && apt-get install -y python3-torch python3-numpy python3-yaml
fi
/usr/bin/python3 -m venv --system-site-packages "$root/ex-torch"
"$root/ex-torch/bin/pip" install --no-deps -r "$here/requirements-torch.txt"

# Keras 3 + JAX (CPU): any Python 3.11 with pip; a plain venv.
"${KERAS_PYTHON:-python3}" -m venv "$root/ex-keras"
"$root/ex-keras/bin/pip" install -r "$here/requirements-keras.txt"

# metricaudit itself, whose capture helpers (metricaudit.capture, .keras, .lightning)
# write the examples' predictions: the wheel of this checkout, built once (needs what
# scripts/bootstrap installs), into both venvs.
repo="$(cd "$here/.." && pwd)"
wheel_dir="$(mktemp -d)"
"${KERAS_PYTHON:-python3}" -m pip wheel -q --no-deps -w "$wheel_dir" "$repo"
for venv in ex-torch ex-keras; do
  "$root/$venv/bin/pip" install -q --no-deps --force-reinstall "$wheel_dir"/metricaudit-*.whl
done
rm -rf "$wheel_dir"
