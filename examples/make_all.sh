#!/usr/bin/env bash
# Regenerate every bundled example (about a minute on 2 CPU cores). Needs the venvs
# made by setup_venvs.sh. Each make.py checks every logged number against its saved
# predictions and fails if the expected convention does not reproduce it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="${VENV_ROOT:-/work/venvs}"
for ex in seed-torchmetrics-macro clean softmax-twice; do
  "$root/ex-torch/bin/python" "$here/$ex/make.py" > /dev/null
  echo "made $ex"
done
for ex in keras3-progress keras3-binary-crossentropy keras3-binary-accuracy; do
  "$root/ex-keras/bin/python" "$here/$ex/make.py" > /dev/null
  echo "made $ex"
done
# The Keras/Lightning pair of the seed's port: the Keras side first (its initial weights
# start the Lightning side), then the check that writes pair.json.
"$root/ex-keras/bin/python" "$here/keras-to-lightning/keras/make.py" > /dev/null
"$root/ex-torch/bin/python" "$here/keras-to-lightning/lightning/make.py" > /dev/null
"$root/ex-torch/bin/python" "$here/keras-to-lightning/check_pair.py"
echo "made keras-to-lightning"
