#!/usr/bin/env python3
"""Report of run_bench_tss.sh: one table per stack, ours/TrouSerS ratios,
ours against the raw-TPM floor, and issue 3's targets next to the measured
values. Usage: bench_tss_report.py DIR_WITH_JSON REPORT.json"""
import json
import os
import sys

STACKS = ["raw-swtpm", "tss12-swtpm", "tss12-swtpm-unix", "trousers-swtpm",
          "raw-libtpms", "tss12-embedded", "tss12-embedded-unix"]
FLOOR_OPS = ["Seal(32)", "Unseal(32)", "Sign(2048)", "Quote(2048)"]


def load(d):
    runs = {}
    for name in STACKS:
        path = os.path.join(d, name + ".json")
        if os.path.exists(path):
            with open(path) as f:
                runs[name] = json.load(f)
    return runs


def lat(run, op):
    for r in (run or {}).get("latency", []):
        if r["op"] == op:
            return r
    return None


def tput(run, op, clients):
    for r in (run or {}).get("throughput", []):
        if r["op"] == op and r["clients"] == clients:
            return r
    return None


def codes(r):
    return ", ".join("%s x %s" % (n, c) for c, n in r.get("codes", {}).items())


def print_stack(name, run):
    print("\n== %s (%s) ==" % (name, run.get("libtspi") or run.get("tpm", "")))
    print("%-26s %6s %10s %10s %10s %10s %5s" % ("latency", "n", "median_us", "p95_us",
                                                  "p99_us", "ops/s", "fail"))
    for r in run.get("latency", []):
        print("%-26s %6d %10.1f %10.1f %10.1f %10.0f %5d %s" % (
            r["op"], r["n"], r["median_us"], r["p95_us"], r["p99_us"], r["ops_s"],
            r["failures"], codes(r)))
    if run.get("throughput"):
        print("%-26s %6s %10s %10s %8s %s" % ("throughput", "clients", "ops", "ops/s",
                                             "fail", "codes"))
        for r in run["throughput"]:
            print("%-26s %6d %10d %10.0f %8d %s" % (r["op"], r["clients"], r["ops"],
                                                   r["ops_s"], r["failures"], codes(r)))


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def fmt(x, f="%.2f"):
    return "n/a" if x is None else f % x


def main():
    d, out = sys.argv[1], sys.argv[2]
    runs = load(d)
    for name in STACKS:
        if name in runs:
            print_stack(name, runs[name])

    ours, tro = runs.get("tss12-swtpm"), runs.get("trousers-swtpm")
    comparison = []
    if ours and tro:
        print("\n== tss12 / TrouSerS on swtpm (latency: median ratio, < 1 is faster; "
              "throughput: ops/s ratio, > 1 is faster) ==")
        for r in ours["latency"]:
            t = lat(tro, r["op"])
            q = ratio(r["median_us"], t and t["median_us"])
            comparison.append({"op": r["op"], "median_ratio": q})
            print("%-26s %10s   (%.1f vs %s us)" % (r["op"], fmt(q), r["median_us"],
                                                   fmt(t and t["median_us"], "%.1f")))
        for r in ours.get("throughput", []):
            t = tput(tro, r["op"], r["clients"])
            q = ratio(r["ops_s"], t and t["ops_s"])
            comparison.append({"op": r["op"], "clients": r["clients"], "ops_ratio": q})
            print("%-20s x%-4d %10s   (%.0f vs %s ops/s; failures %d vs %s)" % (
                r["op"], r["clients"], fmt(q), r["ops_s"], fmt(t and t["ops_s"], "%.0f"),
                r["failures"], t["failures"] if t else "n/a"))

    floors = []
    for stack, raw in (("tss12-swtpm", "raw-swtpm"), ("trousers-swtpm", "raw-swtpm"),
                       ("tss12-embedded", "raw-libtpms")):
        if stack not in runs or raw not in runs:
            continue
        print("\n== %s against the raw-TPM floor (%s), median ==" % (stack, raw))
        print("%-26s %10s %12s %8s %12s %8s" % ("op", "TSS us", "floor us", "ratio",
                                                "reused us", "ratio"))
        for r in runs[stack]["latency"]:
            f = lat(runs[raw], r["op"])
            fr = lat(runs[raw], r["op"] + " reused")
            if f is None:
                continue
            q = ratio(r["median_us"], f["median_us"])
            qr = ratio(r["median_us"], fr and fr["median_us"])
            floors.append({"stack": stack, "op": r["op"], "median_us": r["median_us"],
                           "floor_us": f["median_us"], "ratio": q,
                           "floor_reused_us": fr and fr["median_us"], "ratio_reused": qr})
            print("%-26s %10.1f %12.1f %8s %12s %8s" % (
                r["op"], r["median_us"], f["median_us"], fmt(q),
                fmt(fr and fr["median_us"], "%.1f"), fmt(qr)))

    # Issue 3's targets.
    targets = []

    def target(what, goal, measured, ok):
        targets.append({"target": what, "goal": goal, "measured": measured,
                        "met": ok})

    emb = runs.get("tss12-embedded")
    for n, need in ((1, 1.5), (16, 2.0)):
        o, t = tput(ours, "GetRandom(20)", n), tput(tro, "GetRandom(20)", n)
        q = ratio(o and o["ops_s"], t and t["ops_s"])
        target("GetRandom ops/s vs TrouSerS, %d client%s" % (n, "s" if n > 1 else ""),
               ">= %.1fx" % need,
               "%sx (%s vs %s ops/s)" % (fmt(q), fmt(o and o["ops_s"], "%.0f"),
                                         fmt(t and t["ops_s"], "%.0f")),
               None if q is None else q >= need)
    for op in FLOOR_OPS:
        r, f = lat(ours, op), lat(runs.get("raw-swtpm"), op)
        fr = lat(runs.get("raw-swtpm"), op + " reused")
        best = min([x["median_us"] for x in (f, fr) if x] or [0]) or None
        q = ratio(r and r["median_us"], best)
        target("%s within 5%% of the raw floor (swtpm)" % op, "<= 1.05x",
               "%sx (%s vs %s us)" % (fmt(q), fmt(r and r["median_us"], "%.1f"),
                                      fmt(best, "%.1f")),
               None if q is None else q <= 1.05)
    for name in ("tss12-swtpm", "tss12-swtpm-unix", "tss12-embedded-unix"):
        r = lat(runs.get(name), "ctx open/close")
        if r:
            target("context open/close (%s)" % name, "<= 60 us",
                   "%.1f us" % r["median_us"], r["median_us"] <= 60)
    for n in (16, 64):
        r = tput(ours, "Seal+Unseal(32)", n)
        target("Seal/Unseal failures, %d clients (swtpm)" % n, "0",
               "n/a" if r is None else "%d%s" % (r["failures"],
                                                 (" (" + codes(r) + ")") if r["failures"] else ""),
               None if r is None else r["failures"] == 0)
        r = tput(emb, "Seal+Unseal(32)", n)
        if r:
            target("Seal/Unseal failures, %d clients (embedded)" % n, "0",
                   "%d" % r["failures"], r["failures"] == 0)
    for name in ("tss12-embedded", "tss12-embedded-unix"):
        r = tput(runs.get(name), "GetRandom(20)", 16)
        if r:
            target("embedded GetRandom ops/s, 16 clients (%s)" % name, ">= 30000",
                   "%.0f" % r["ops_s"], r["ops_s"] >= 30000)

    print("\n== issue 3 targets ==")
    print("%-52s %-10s %-34s %s" % ("target", "goal", "measured", "met"))
    for t in targets:
        met = "n/a" if t["met"] is None else ("yes" if t["met"] else "NO")
        print("%-52s %-10s %-34s %s" % (t["target"], t["goal"], t["measured"], met))

    with open(out, "w") as f:
        json.dump({"runs": runs, "comparison": comparison, "floors": floors,
                   "targets": targets}, f, indent=1)
    print("\nJSON report: %s" % out)


if __name__ == "__main__":
    main()
