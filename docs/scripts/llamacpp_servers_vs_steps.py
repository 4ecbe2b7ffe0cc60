#!/usr/bin/env python3
"""Reads llama.cpp measurement rows as one-client llama.cpp servers and scores tuner's serving prediction of them.

docs/EVALUATION.md, "llama.cpp from the step model": 80 rows of data/measurements.csv drawn at random (seed 42; 40
decode, 40 prefill, batch 1, a llama.cpp backend, not SUSPECT), each predicted by
`./tuner predict --engine llama.cpp --backend B --isl I --osl O --concurrency 1`: a decode row as its window O after
its depth I (at least 1), scored as 1000 / TPOT against its tokens/s; a prefill row as its prompt I with O = 2, scored
as I * 1000 / TTFT. Prints MAPE and median APE per phase. Run from the repository root:
    python3 docs/scripts/llamacpp_servers_vs_steps.py [TUNER_DIR]
"""
import csv
import json
import random
import statistics
import subprocess
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
rows = [r for r in csv.DictReader(open(f"{root}/data/measurements.csv"))
        if r["backend"].startswith("llama.cpp") and r["batch"] == "1" and r["context"] and r["quant"]
        and not r["notes"].startswith("SUSPECT")]
decode = [r for r in rows if r["phase"] == "decode"]
prefill = [r for r in rows if r["phase"] == "prefill" and r["depth"] in ("", "0")]
random.seed(42)
sample = random.sample(decode, 40) + random.sample(prefill, 40)
errors = {"decode": [], "prefill": []}
for r in sample:
    if r["phase"] == "decode":
        isl, osl = max(1, int(r["depth"] or 0)), int(r["context"])
    else:
        isl, osl = int(r["context"]), 2
    out = subprocess.run([f"{root}/tuner", "predict", "--model", r["model"], "--device", r["device"], "--quant",
                          r["quant"], "--engine", "llama.cpp", "--backend", r["backend"].replace("llama.cpp ", ""),
                          "--isl", str(isl), "--osl", str(osl), "--concurrency", "1", "--format", "json"],
                         capture_output=True, text=True, check=True).stdout
    p = json.loads(out)
    predicted = 1000 / p["tpot_ms"] if r["phase"] == "decode" else isl * 1000 / p["ttft_ms"]
    errors[r["phase"]].append(abs(predicted / float(r["tokens_per_s"]) - 1))
for phase, e in errors.items():
    print(f"{phase}: n {len(e)}, MAPE {100 * statistics.mean(e):.1f}%, median APE {100 * statistics.median(e):.1f}%")
