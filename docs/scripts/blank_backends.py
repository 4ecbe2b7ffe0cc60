#!/usr/bin/env python3
"""Scores the shipped model on data/measurements.csv with every llama.cpp row's backend left blank.

docs/EVALUATION.md, "A backend nobody stated": a prediction that states no backend takes the device's usual one
(Backend.usualOn); this shows what that gives on the shipped rows, in-sample. Writes the blanked copy to a temporary
file and runs `./tuner evaluate` on it. Run from the repository root:
    python3 docs/scripts/blank_backends.py [TUNER_DIR]
"""
import csv
import subprocess
import sys
import tempfile

root = sys.argv[1] if len(sys.argv) > 1 else "."
with open(f"{root}/data/measurements.csv", newline="") as f:
    reader = csv.DictReader(f)
    rows = [dict(r, backend="" if r["backend"].startswith("llama.cpp") else r["backend"]) for r in reader]
with tempfile.NamedTemporaryFile("w", suffix=".csv", newline="", delete=False) as out:
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames)
    writer.writeheader()
    writer.writerows(rows)
subprocess.run([f"{root}/tuner", "evaluate", "--data", out.name], check=True)
