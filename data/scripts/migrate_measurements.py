#!/usr/bin/env python3
"""Rewrite measurement CSVs of the old 11-column layout into the 23-column layout of data/measurements.csv.

Usage:
    python3 data/scripts/migrate_measurements.py -o data/measurements.csv OLD.csv [MORE.csv ...]

Every input must have the old header
    source_id,device,backend,model,params_b,quant,batch,context,phase,tokens_per_s,notes
Rows are written in input order (files in the order given), every value and note unchanged, except `context`
where a row's notes show that the old value counted cached tokens too (see DEPTH RULES below). The new columns
are read from the notes only (build_date also from the month a source dates its rows in, SOURCE_BUILD_MONTH); a
column stays blank when neither states it.

DEPTH RULES (context = tokens in the measured window; depth = tokens already in the KV cache before it):
  llama-bench "ppN @ depth D" / "tgN @ depth D"       -> context N, depth D
  llama-bench "ppN" / "tgN" (no depth)                 -> context N, depth 0 (llama-bench starts from an empty cache)
  batched-bench S_PP (PP prompt tokens)                -> context PP, depth 0
  batched-bench S_TG with PP and TG stated             -> context TG, depth PP
  TensorRT-LLM E2E "ISL=a OSL=b"                       -> context b, depth a
  TensorRT-LLM batch-1 "ISL=a, OSL not stated"         -> context blank, depth a
  "DERIVED: N / published 1st-token latency"           -> context N, depth 0
  llama.cpp ./main runs (n_ctx 512, context shifting)  -> prefill: depth 0; decode: unchanged, depth blank
                                                          (the cache is capped at n_ctx by shifting, so no
                                                          depth + window split is stated)
  anything else                                        -> unchanged, depth blank
"""
import argparse
import csv
import os
import re
import sys

OLD_HEADER = ["source_id", "device", "backend", "model", "params_b", "quant", "batch", "context", "phase",
              "tokens_per_s", "notes"]
NEW_HEADER = ["source_id", "device", "backend", "model", "params_b", "quant", "batch", "context", "depth", "phase",
              "tokens_per_s", "n_ubatch", "flash_attn", "kv_type", "build", "build_date", "blas", "model_size_bytes", "num_devices", "tp",
              "pp", "ep", "notes"]


def window_and_depth(row):
    """(context, depth) for one old row, as strings; depth '' when the notes do not state it."""
    notes, context, phase = row["notes"], row["context"], row["phase"]

    m = re.search(r"llama-bench (?:pp|tg)(\d+) @ depth (\d+)", notes)
    if m:
        return m.group(1), m.group(2)

    m = re.search(r"S_TG B=\d+ PP=(\d+) TG=(\d+)", notes)
    if m:
        return m.group(2), m.group(1)
    m = re.search(r"S_TG: \d+ sequences each generating (\d+) tokens after a (\d+)-token prompt", notes)
    if m:
        return m.group(1), m.group(2)
    m = re.search(r"S_PP B=\d+ PP=(\d+)", notes) or re.search(r"S_PP: \d+ sequences x (\d+) prompt tokens", notes)
    if m:
        return m.group(1), "0"

    m = re.search(r"ISL=(\d+) OSL=(\d+)", notes)
    if m:
        return m.group(2), m.group(1)
    m = re.search(r"ISL=(\d+), OSL not stated", notes)
    if m:
        return "", m.group(1)
    m = re.search(r"DERIVED: (\d+) / published 1st-token latency", notes)
    if m:
        return m.group(1), "0"

    m = re.search(r"\b(?:pp|tg)(\d+)\b", notes) if "llama-bench" in notes else None
    if m:
        if m.group(1) != context:
            sys.exit("row %r: llama-bench test length %s differs from context %s" % (row, m.group(1), context))
        return context, "0"

    if re.search(r"llama\.cpp \./main", notes):
        return (context, "0") if phase == "prefill" else (context, "")
    return context, ""


def build_of(notes):
    """llama.cpp release tag bNNNN where the build number is printed, else a stated commit hash, else ''."""
    m = re.search(r"\bbuild ~?b?([0-9a-f]{7,}) \((\d+)\)", notes)
    if m:
        return "b" + m.group(2)
    m = re.search(r"llama\.cpp commit ([0-9a-f]{7,})\b", notes)
    if m:
        return m.group(1)
    return ""


# The month each source dates its build in (notes and SOURCES.md), for sources whose rows share one build era: one
# table, which tuner's reader of this layout uses too (dev.tuner.core.data.LegacyNotes).
SOURCE_MONTHS_CSV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tuner-ingest", "src", "main",
                                 "resources", "dev", "tuner", "core", "data", "source-build-months.csv")
with open(SOURCE_MONTHS_CSV, newline="", encoding="utf-8") as _f:
    SOURCE_BUILD_MONTH = {r["source_id"]: r["build_month"] for r in csv.DictReader(_f)}


def build_date_of(row):
    """The build's month, YYYY-MM, where the row or its source dates it; '' when unknown."""
    source, notes = row["source_id"], row["notes"]
    m = re.search(r"test_time (\d{4}-\d{2})", notes)
    if m:
        return m.group(1)
    if source == "xd_llama12":
        return "2023-08" if "Aug 2023 build" in notes else "2023-12"
    if source == "llamacpp_disc4167":
        # the reference build 8e672ef (Nov 2023) ran the M1 and M2 chips; later chips ran on later, undated builds
        return "2023-11" if re.match(r"Apple M[12] ", row["device"]) else ""
    return SOURCE_BUILD_MONTH.get(source, "")


def one(pattern, notes):
    found = set(re.findall(pattern, notes))
    if len(found) > 1:
        sys.exit("notes state %s twice with different values: %r" % (pattern, notes))
    return found.pop() if found else ""


def migrate(row):
    notes = row["notes"]
    context, depth = window_and_depth(row)
    out = dict(row)
    out.update({
        "context": context,
        "depth": depth,
        "n_ubatch": one(r"n_ubatch=(\d+)", notes),
        "flash_attn": one(r"flash_attn=([01])\b", notes),
        "kv_type": one(r"type_k=(\w+)", notes),
        "build": build_of(notes),
        "build_date": build_date_of(row),
        "blas": "hipblaslt" if "ROCBLAS_USE_HIPBLASLT=1" in notes else "",
        "model_size_bytes": one(r"model_size (\d+) bytes", notes),
        "num_devices": "", "tp": "", "pp": "", "ep": "",
    })
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("inputs", nargs="+")
    args = ap.parse_args()

    rows, counts = [], []
    for path in args.inputs:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames != OLD_HEADER:
                sys.exit("%s: header %s, expected the old layout %s" % (path, reader.fieldnames, OLD_HEADER))
            migrated = [migrate(r) for r in reader]
        moved = sum(1 for r in migrated if r["depth"] not in ("", "0"))
        counts.append((path, len(migrated), moved, sum(1 for r in migrated if r["depth"] == "")))
        rows.extend(migrated)

    with open(args.output, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=NEW_HEADER, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)

    for path, n, moved, blank in counts:
        print("%s: %d rows, %d with depth > 0 (context now the window only), %d with depth unstated"
              % (path, n, moved, blank))
    filled = {c: sum(1 for r in rows if r[c] != "") for c in
              ("depth", "n_ubatch", "flash_attn", "kv_type", "build", "build_date", "blas",
                       "model_size_bytes")}
    print("%d rows written to %s; non-blank: %s" % (len(rows), args.output, filled))


if __name__ == "__main__":
    main()
