#!/usr/bin/env bash
# CPU time and peak memory of `tuner train` on a large synthetic measurements CSV, as a whole process under
# /usr/bin/time -v (training runs for minutes, so JMH's repeated iterations do not fit; like coldstart.sh, this
# measures the command a user runs). Rows draw a catalog device, model and quantization, a phase, batch and context
# at random (seeded) with tokens/s below any roof; the numbers say how long training takes, not how good the model is.
# Usage: bench/train-scale.sh ROWS [train options...]; writes train-scale-ROWS.txt to bench/results.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rows="${1:?rows}"
shift
out="$root/bench/results"
mkdir -p "$out"
work="$(mktemp -d "${TMPDIR:-/tmp}/tuner-train-scale.XXXXXX")"
trap 'rm -rf "$work"' EXIT

python3 - "$root" "$rows" "$work/m.csv" <<'PY'
import csv, random, sys
root, rows, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
random.seed(7)
devices = [r['device'] for r in csv.DictReader(open(root + '/data/devices.csv')) if r['fp16_tflops']]
models = [r['model'] for r in csv.DictReader(open(root + '/data/models.csv'))
          if r['hidden'] and float(r['params_b']) < 80][:40]
quants = ['Q4_0', 'Q4_K_M', 'Q8_0', 'F16', 'Q6_K']
with open(path, 'w', newline='') as f:
    w = csv.writer(f)
    w.writerow(['source_id', 'device', 'backend', 'model', 'params_b', 'quant', 'batch', 'context', 'phase',
                'tokens_per_s', 'notes'])
    for i in range(rows):
        phase = random.choice(['decode', 'prefill'])
        w.writerow(['synthetic', random.choice(devices), 'llama.cpp CUDA', random.choice(models), '',
                    random.choice(quants), random.choice([1, 1, 1, 2, 4, 8]) if phase == 'decode' else 1,
                    random.choice([128, 512, 1024, 2048, 4096]), phase,
                    round(random.uniform(0.5, 20) if phase == 'decode' else random.uniform(5, 200), 3),
                    'synthetic row %d' % i])
PY

./tuner --version > /dev/null
/usr/bin/time -v java -Xmx8g -jar "$root/tuner-cli/target/tuner.jar" train --data "$work/m.csv" --out "$work/f.json" \
  "$@" > /dev/null 2> "$out/train-scale-$rows.txt"
grep -E "^read|progress:|User time|System time|Elapsed|Maximum resident" "$out/train-scale-$rows.txt"
