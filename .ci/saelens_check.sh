#!/usr/bin/env bash
# SAELens round trip in its own virtual environment (the `saelens` extra pulls in transformer-lens, transformers, datasets...,
# kept out of the package's own environment): torch pinned first, then the package with the extra, then .ci/saelens_check.py.
# Run from anywhere: bash .ci/saelens_check.sh  (SAELENS_VENV=<folder> to place the environment; an existing one is reused)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${SAELENS_VENV:-.cache/venv-saelens}
T0=$(date +%s)
if [ "${SAELENS_IN_ACTIVE_VENV:-0}" = 1 ]; then   # CI: a throwaway environment already holds torch and the package; add the extra there
  python -m pip install -q "sae-lens==6.54.12" 2>&1 | grep -v -i "warning" || true
  python -c "import torch, sae_lens; assert torch.__version__.startswith('2.14.1'), torch.__version__; print('sae_lens', sae_lens.__version__, 'torch', torch.__version__)"
  echo "($(( $(date +%s) - T0 ))s to prepare)"
  exec python .ci/saelens_check.py "$(mktemp -d)"
fi
if ! "$VENV/bin/python" -c "import sae_lens, torch; assert sae_lens.__version__ == '6.54.12' and torch.__version__.startswith('2.14.1')" 2>/dev/null; then
  rm -rf "$VENV"; python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q torch==2.14.1 2>&1 | grep -v -i "warning" || true
  "$VENV/bin/python" -m pip install -q -e ".[saelens]" 2>&1 | grep -v -i "warning" || true
else
  "$VENV/bin/python" -m pip install -q --no-deps -e . 2>&1 | grep -v -i "warning" || true   # reused: this checkout, same dependencies
fi
"$VENV/bin/python" -c "import torch, sae_lens; assert torch.__version__.startswith('2.14.1'), torch.__version__; print('environment ready:', '$VENV', 'torch', torch.__version__, 'sae_lens', sae_lens.__version__)"
echo "($(( $(date +%s) - T0 ))s to prepare)"
"$VENV/bin/python" .ci/saelens_check.py "$(mktemp -d)"
