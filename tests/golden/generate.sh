#!/usr/bin/env bash
# Regenerates the golden reference vectors from the real libraries.
#
# Creates (once) four virtual environments under $VENVS (default /work/venvs):
#   tm011   /usr/bin/python3 --system-site-packages + torchmetrics==0.11.4   (torch from Debian)
#   tm1     /usr/bin/python3 --system-site-packages + torchmetrics==1.5.2
#   keras3  /usr/bin/python3 + keras, jax (CPU)        -- KERAS_BACKEND=jax
#   sklearn /usr/bin/python3 + scikit-learn
# torch is Debian's python3-torch (1.13, CPU): `apt-get install python3-torch`. Never pip
# install torch here (the PyPI wheel is the multi-GB CUDA build).
# torchmetrics 1.5.2 is the newest release whose metadata accepts torch 1.13 (1.6.0 and later
# require torch>=2.0). Keras and scikit-learn are pinned to the versions the committed files
# were made with; set KERAS_SPEC / SKLEARN_SPEC to try others.
set -euo pipefail
cd "$(dirname "$0")"
VENVS=${VENVS:-/work/venvs}
PY=${PY:-/usr/bin/python3}
KERAS_SPEC=${KERAS_SPEC:-"keras==3.15.1 jax==0.10.2 jaxlib==0.10.2"}
SKLEARN_SPEC=${SKLEARN_SPEC:-"scikit-learn==1.9.1"}

if [ ! -d /usr/lib/python3/dist-packages/torch ]; then
  echo "python3-torch is not installed (apt-get install python3-torch)" >&2; exit 2
fi
mkdir -p "$VENVS"
mk() {  # name, system-site-packages flag, pip specs...
  local name=$1 sys=$2; shift 2
  if [ ! -x "$VENVS/$name/bin/python" ]; then
    if [ "$sys" = yes ]; then "$PY" -m venv --system-site-packages "$VENVS/$name"; else "$PY" -m venv "$VENVS/$name"; fi
  fi
  # --no-deps for torchmetrics would miss lightning-utilities; plain install keeps Debian's torch/numpy
  "$VENVS/$name/bin/pip" install -q "$@"
}
mk tm011 yes torchmetrics==0.11.4
mk tm1 yes torchmetrics==1.5.2
mk keras3 no $KERAS_SPEC
mk sklearn no $SKLEARN_SPEC

rm -f torchmetrics-*.json torch-*.json keras-*.json sklearn-*.json random-*.json
"$VENVS/tm011/bin/python" generate.py --lib torchmetrics
"$VENVS/tm1/bin/python" generate.py --lib torchmetrics
"$VENVS/tm011/bin/python" generate.py --lib torch
KERAS_BACKEND=jax JAX_PLATFORMS=cpu "$VENVS/keras3/bin/python" generate.py --lib keras
"$VENVS/sklearn/bin/python" generate.py --lib sklearn
# Randomized sets (random_inputs.py): at least 10^4 values per reference.
"$VENVS/tm011/bin/python" generate.py --lib torchmetrics --random 250
"$VENVS/tm1/bin/python" generate.py --lib torchmetrics --random 200
"$VENVS/tm011/bin/python" generate.py --lib torch --random 500
KERAS_BACKEND=jax JAX_PLATFORMS=cpu "$VENVS/keras3/bin/python" generate.py --lib keras --random 500
# Re-derive every output from the documented conventions (needs g++ for the torch top-k helper).
if command -v g++ >/dev/null; then ./verify/run_all.sh; fi
