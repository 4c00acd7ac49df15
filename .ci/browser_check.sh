#!/usr/bin/env bash
# The explorers in a real browser: Voila serves a notebook showing every explorer on a finished run, Playwright drives it on
# Debian's chromium (installed with apt-get when missing; no browser is downloaded), one control per explorer must redraw it,
# and the latent pages must fit a 1280-pixel screen. Screenshots are kept for a person to look at.
# Run from anywhere: bash .ci/browser_check.sh [run_dir] [screenshots_dir]
#   run_dir: a finished run (default runs/quick, which CI's main command writes; without it a tiny run is made first)
set -euo pipefail
cd "$(dirname "$0")/.."
T0=$(date +%s)
RUN=${1:-runs/quick}
SHOTS=${2:-_runs/browser_shots}
if [ ! -f "$RUN/report.md" ]; then
  RUN=$(mktemp -d)/run
  echo "no finished run given: the tiny preset into $RUN"
  sae_concept_dynamics --preset tiny --out_dir "$RUN" --quiet > "$RUN.log" 2>&1 || { tail -30 "$RUN.log"; echo "FAIL: tiny run"; exit 1; }
fi
if [ ! -f "$RUN/ablation/summary.csv" ]; then   # the quick preset runs no ablation experiment: a small one gives AblationView something to show
  sae_ablation --log_dir "$RUN/store" --out_dir "$RUN/ablation" --steps 60 --seeds 0,1 --modes data,erase --concepts digit_4 --n_draws 5 \
    --hidden 64 --quiet > "$RUN/ablation.log" 2>&1 || { tail -20 "$RUN/ablation.log"; echo "FAIL: the ablation experiment for AblationView"; exit 1; }
fi
[ -x /usr/bin/chromium ] || { apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; }
python -c "import voila, playwright" 2>/dev/null || pip install -q -e ".[browser]" 2>&1 | grep -v -i "warning" || true
echo "run $RUN, $(chromium --version 2>/dev/null | head -1), ready in $(( $(date +%s) - T0 ))s"
rm -rf "$SHOTS"
python .ci/browser_check.py --run "$RUN" --shots "$SHOTS"
echo "screenshots: $(ls "$SHOTS"/*.png | wc -l) PNG files in $SHOTS ($(( $(date +%s) - T0 ))s in all)"
