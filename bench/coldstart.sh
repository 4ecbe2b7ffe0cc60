#!/usr/bin/env bash
# Wall time of `./tuner predict` as a whole process, with hyperfine: with the launcher's class-data-sharing archive,
# without it (TUNER_NO_CDS=1), the bare `java -jar` with no flags, and `java -version` as the JVM's own floor.
# BASELINE_DIR=<another checkout with a built tuner-cli/target/tuner.jar> adds its ./tuner to the same run, for a
# before/after comparison on equal terms. Writes coldstart.json and coldstart.md to the directory given (default
# bench/results).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/bench/results}"
mkdir -p "$out"
cd "$root"
command -v hyperfine >/dev/null || { echo "coldstart: hyperfine is missing (apt-get install -y hyperfine)" >&2; exit 1; }

args=(predict --model "Llama 3 8B" --device "RTX 4090" --quant Q4_K_M --context 512)
# builds the jar when stale and records the CDS archive, so that no measured run pays for either
./tuner "${args[@]}" > /dev/null

quoted="$(printf ' %q' "${args[@]}")"
baseline=()
if [[ -n "${BASELINE_DIR:-}" ]]; then
  "$BASELINE_DIR/tuner" "${args[@]}" > /dev/null
  baseline=(-n "baseline: $BASELINE_DIR/tuner predict (CDS archive)" "$BASELINE_DIR/tuner$quoted")
fi
echo "load before cold start: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"
hyperfine -N --warmup 3 --runs "${RUNS:-20}" \
  --export-json "$out/coldstart.json" --export-markdown "$out/coldstart.md" \
  "${baseline[@]}" \
  -n "./tuner predict (CDS archive)" "./tuner$quoted" \
  -n "./tuner predict (TUNER_NO_CDS=1)" "env TUNER_NO_CDS=1 ./tuner$quoted" \
  -n "java -jar tuner.jar predict (no flags)" "java -jar tuner-cli/target/tuner.jar$quoted" \
  -n "java -version (JVM floor)" "java -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -version"
echo "load after cold start: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"
