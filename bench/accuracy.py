#!/usr/bin/env python3
"""Register-check accuracy through the running service (bench/accuracy.sh runs it).

  accuracy.py BASE TOKENS_FILE QUERIES_JSONL OUT_JSON

For each query (a JSON line from examples/accuracy_data.rs: truth, kinds, body) it records the
report with POST /api/v1/reports and runs a register check on it with
POST /api/v1/reports/{id}/checks, exactly as intake or an officer's client would, and keeps the
registrant candidates the service returns (reference and probability). Then it prints and writes:

- recall@1: the true registrant is the single most probable candidate (a tie for first is a miss);
- candidate recall: the true registrant is among the candidates at all;
- precision, recall and F1 at the review threshold (p >= 0.5), counting every candidate at or
  above it: one that is the truth is a true positive, any other a false positive;
- false alarms: unregistered people with any registrant candidate at or above 0.5, and above 0.95;
- recall@1 per kind of damage; client-side latency of the check request (p50/p99).
"""
import json
import statistics
import sys
import time
import urllib.request

REVIEW = 0.5
STRONG = 0.95


def post(base, path, token, body, headers=None):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json",
                                          **(headers or {})})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.load(resp)


def main():
    base, tokens_file, queries_file, out_file = sys.argv[1:]
    tokens = [t.strip() for t in open(tokens_file) if t.strip()]
    rows = []
    latencies = []
    for n, line in enumerate(open(queries_file)):
        q = json.loads(line)
        token = tokens[n % len(tokens)]
        report = post(base, "/api/v1/reports", token, q["body"])
        started = time.perf_counter()
        check = post(base, f"/api/v1/reports/{report['id']}/checks", token, {},
                     {"Vigil-Reason-Code": "INVESTIGATION", "Vigil-Crime-Reference": q["body"]["crime_reference"]})
        latencies.append((time.perf_counter() - started) * 1000)
        candidates = [(c["target_reference"], c["probability"], [[f["field"], f["level"], f["weight"]] for f in c["explanation"]])
                      for c in check["candidates"] if c["target_kind"] == "registrant"]
        candidates.sort(key=lambda c: -c[1])
        rows.append({"truth": q["truth"], "kinds": q["kinds"], "candidates": candidates})
    json.dump(rows, open(out_file, "w"))
    report_metrics(rows, latencies)


def top_is(row):
    c = row["candidates"]
    if not c or c[0][0] != row["truth"]:
        return False
    return len(c) == 1 or c[1][1] < c[0][1]


def report_metrics(rows, latencies):
    registered = [r for r in rows if r["truth"]]
    strangers = [r for r in rows if not r["truth"]]
    r1 = sum(top_is(r) for r in registered) / max(1, len(registered))
    cand = sum(any(c[0] == r["truth"] for c in r["candidates"]) for r in registered) / max(1, len(registered))
    tp = sum(1 for r in rows for c in r["candidates"] if c[1] >= REVIEW and c[0] == r["truth"])
    fp = sum(1 for r in rows for c in r["candidates"] if c[1] >= REVIEW and c[0] != r["truth"])
    precision = tp / max(1, tp + fp)
    recall = tp / max(1, len(registered))
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    alarms = sum(any(c[1] >= REVIEW for c in r["candidates"]) for r in strangers)
    strong = sum(any(c[1] > STRONG for c in r["candidates"]) for r in strangers)
    print(f"queries: {len(registered)} about registrants, {len(strangers)} about unregistered people")
    print(f"recall@1 {r1:.3f}  candidate recall {cand:.3f}")
    print(f"at p >= {REVIEW}: precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f}")
    print(f"false alarms: {alarms} of {len(strangers)} unregistered at p >= {REVIEW} ({alarms / max(1, len(strangers)):.4f}); "
          f"{strong} above {STRONG}")
    kinds = sorted({k for r in registered for k in r["kinds"]})
    print("| damage | reports | recall@1 | candidate recall |")
    print("|---|---|---|---|")
    for k in kinds:
        of = [r for r in registered if k in r["kinds"]]
        print(f"| {k} | {len(of)} | {sum(top_is(r) for r in of) / len(of):.3f} | "
              f"{sum(any(c[0] == r['truth'] for c in r['candidates']) for r in of) / len(of):.3f} |")
    if latencies:
        latencies.sort()
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"check request latency (client side, sequential): p50 {statistics.median(latencies):.1f} ms, p99 {p99:.1f} ms")


def explain(candidate):
    return f"{candidate[0]} p={candidate[1]:.3f} " + " ".join(f"{f}:{lvl}({w:+.1f})" for f, lvl, w in candidate[2])


def report_misses(rows):
    """Each report about a registrant whose truth was not ranked first, and each unregistered
    person's false alarm: the explanations (levels and weights, never values) side by side."""
    for r in rows:
        c = r["candidates"]
        if r["truth"] and not top_is(r):
            truth = [x for x in c if x[0] == r["truth"]]
            print("MISS", ",".join(r["kinds"]), f"({len(c)} candidates)")
            print("  truth:", explain(truth[0]) if truth else "not returned")
            if c and c[0][0] != r["truth"] or (truth and len(c) > 1):
                other = next(x for x in c if x[0] != r["truth"])
                print("  other:", explain(other))
        elif not r["truth"] and any(x[1] >= REVIEW for x in c):
            print("ALARM", explain(c[0]))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--metrics":
        report_metrics(json.load(open(sys.argv[2])), [])
    elif len(sys.argv) == 3 and sys.argv[1] == "--misses":
        report_misses(json.load(open(sys.argv[2])))
    else:
        main()
