#!/usr/bin/env bash
# Builds tuner-bench/target/benchmarks.jar and runs every JMH benchmark with the GC profiler, then the cold-start
# measurement (coldstart.sh). Results: bench/results/jmh.json (JMH's JSON), jmh.txt (its console output),
# coldstart.json and coldstart.md (hyperfine's), machine.txt (what it ran on).
#
#   bench/run.sh                          everything, with the settings of BENCHMARKS.md
#   bench/run.sh ForestInference          only benchmarks matching a regular expression (JMH's own argument)
#   JMH_OPTS="-f 3 -wi 5 -i 10" bench/run.sh   other JMH settings
#   SKIP_COLDSTART=1 bench/run.sh         JMH only
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${BENCH_OUT:-$root/bench/results}"
mkdir -p "$out"
cd "$root"

echo "bench: building tuner-bench/target/benchmarks.jar" >&2
mvn -B -q -Pbench -pl tuner-bench -am -DskipTests package

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') @ $(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') MHz"
  echo "memory: $(grep MemTotal /proc/meminfo | awk '{printf "%.1f GiB", $2 / 1048576}')"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/machine.txt"

# Short runs on a shared 2-core machine: compare ratios within one run, not across runs.
read -r -a jmh_opts <<< "${JMH_OPTS:--f 1 -wi 3 -i 5 -w 1s -r 1s}"
java -jar tuner-bench/target/benchmarks.jar "${jmh_opts[@]}" -jvmArgs "-Xmx3g" -prof gc \
  -rf json -rff "$out/jmh.json" "$@" | tee "$out/jmh.txt"
echo "load after JMH: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"

if [[ "${SKIP_COLDSTART:-}" != 1 ]]; then
  "$root/bench/coldstart.sh" "$out"
fi
