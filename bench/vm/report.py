#!/usr/bin/python3
"""Tables and plot from the output of scripts/bench-vm.

    report.py RUN.LOG OUTDIR     writes OUTDIR/results.md, OUTDIR/bench-vm.png

Reads the RES lines only. Each flow ran alone for a few seconds per round,
every flow once per round; every ratio is taken inside one round (windows
seconds apart), then the median over rounds is reported, so most of the
host's changing speed cancels out of it.

Two ratios per filter, both against the no-lookup rule (ceil):

  end-to-end   rate_f / rate_ceil. The generator and the receive path run
               inline on one vCPU, so this is (g + c_ceil) / (g + c_f):
               the generator's own cost g per SYN is in both.
  receiver     (1/rate_ceil - 1/rate_sink) / (1/rate_f - 1/rate_sink): the
               same with the cost of the sink flow (generator, veth, dropped
               at tc ingress before IP) taken out of both, i.e. the ratio of
               the IP-layer-plus-filter costs alone.
"""
import collections
import math
import os
import re
import statistics
import sys

FILTERS = ["mx", "nft", "ipt", "ceil", "none", "sink"]
NAMES = {
    "mx": "mxlock",
    "nft": "nft interval set",
    "ipt": "iptables-nft + ipset hash:net",
    "ceil": "no-lookup rule (ceiling)",
    "none": "no filter (to TCP listener)",
    "sink": "sink (tc ingress drop)",
}


def kv(line):
    d = dict(re.findall(r"(\w+)=(\S+)", line))
    if "us" in d:
        d["secs"] = int(d["us"]) / 1e6
    return d


def med(xs):
    xs = [x for x in xs if x is not None and not math.isnan(x)]
    return statistics.median(xs) if xs else float("nan")


def spread(xs):
    xs = sorted(x for x in xs if x is not None and not math.isnan(x))
    if not xs:
        return ""
    return "%.3f-%.3f" % (xs[0], xs[-1])


def boot_ci(rounds, stat, n=2000, seed=1):
    """95% percentile-bootstrap interval of stat(rounds), rounds resampled."""
    import random
    rnd = random.Random(seed)
    if len(rounds) < 3:
        return (float("nan"), float("nan"))
    vals = []
    for _ in range(n):
        v = stat([rounds[rnd.randrange(len(rounds))] for _ in rounds])
        if v is not None and not math.isnan(v):
            vals.append(v)
    vals.sort()
    if not vals:
        return (float("nan"), float("nan"))
    return (vals[int(0.025 * len(vals))], vals[int(0.975 * len(vals)) - 1])


def e2e_stat(f):
    return lambda rs: med([r[f] / r["ceil"] for r in rs if r.get("ceil")])


def recv_stat(f):
    # Costs per SYN in units of the sink flow's: sink/x - 1 is what the IP
    # layer and the filter add on top of generator + veth + L2.
    def st(rs):
        rs = [r for r in rs if r.get(f) and r.get("ceil") and r.get("sink")]
        cc = med([r["sink"] / r["ceil"] for r in rs]) - 1
        cf = med([r["sink"] / r[f] for r in rs]) - 1
        return cc / cf if cf > 0 else float("nan")
    return st


def same_round(wins, ticks, info, outdir):
    """scripts/bench-vm --same-round: one table, every (filter, size) flow
    against the no-lookup rule within the same rounds."""
    rounds = [v for _, v in sorted(wins.items())]
    trounds = [v for _, v in sorted(ticks.items())]
    flows = sorted({f for r in rounds for f in r} - {"ceil", "sink"},
                   key=lambda f: (f.split("_")[0], int(f.split("_")[1]) if "_" in f else 0))
    out = ["### Same rounds: each size of each filter against the no-lookup rule\n",
           "%d rounds; median of the per-round ratios, 95%% bootstrap interval.\n" % len(rounds),
           "| flow | per wall second | per vCPU tick | receiver side | median pps |",
           "|---|---|---|---|---|"]
    for f in flows + ["sink"]:
        rs = [r for r in rounds if r.get(f) is not None and r.get("ceil")]
        ts = [r for r in trounds if r.get(f) is not None and r.get("ceil")]
        a, (alo, ahi) = e2e_stat(f)(rs), boot_ci(rs, e2e_stat(f))
        b, (blo, bhi) = e2e_stat(f)(ts), boot_ci(ts, e2e_stat(f))
        if f == "sink":
            c = "-"
        else:
            c = "%s (%s-%s)" % ((fmt(recv_stat(f)(rs)),) + tuple(fmt(x) for x in boot_ci(rs, recv_stat(f))))
        out.append("| %s | %s (%s-%s) | %s (%s-%s) | %s | %d |" % (
            f, fmt(a), fmt(alo), fmt(ahi), fmt(b), fmt(blo), fmt(bhi), c,
            med([r[f] for r in rs])))
    out.append("| ceil | 1 | 1 | 1 | %d |" % med([r["ceil"] for r in rounds if "ceil" in r]))
    out.append("")
    for k in ("host", "guest", "state"):
        for v in info.get(k, []):
            out.append("    " + v)
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "results.md"), "w") as fh:
        fh.write("\n".join(out) + "\n")
    print("\n".join(out))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    style = {"mx": ("o-", "C0", 0.94), "nft": ("s-", "C1", 1.0), "ipt": ("^-", "C2", 1.06)}
    allsizes = set()
    for kind, (m, c, dx) in style.items():
        xs, ys, lo, hi = [], [], [], []
        for f in flows:
            if not f.startswith(kind + "_"):
                continue
            n = int(f.split("_")[1])
            rs = [r for r in rounds if r.get(f) is not None and r.get("ceil")]
            v = e2e_stat(f)(rs)
            l, h = boot_ci(rs, e2e_stat(f))
            xs.append(n * dx)
            ys.append(v)
            lo.append(max(0.0, v - l))
            hi.append(max(0.0, h - v))
            allsizes.add(n)
        if xs:
            ax.errorbar(xs, ys, yerr=[lo, hi], fmt=m, color=c, capsize=3, label=NAMES[kind])
    rs = [r for r in rounds if r.get("none") is not None and r.get("ceil")]
    if rs:
        ax.axhline(e2e_stat("none")(rs), color="C7", ls="--", lw=1,
                   label=NAMES["none"] + " (no list)")
    ax.axhline(1.0, color="k", lw=0.8, label="no-lookup rule (ceiling)")
    ax.axhline(0.95, color="r", lw=0.8, ls=":", label="goal 0.95")
    sizes = sorted(allsizes)
    ax.set_xscale("log")
    ax.set_xticks(sizes)
    ax.set_xticklabels([size_label(n) for n in sizes])
    ax.minorticks_off()
    ax.set_xlabel("allowlist size (BGP-like IPv4 prefixes)")
    ax.set_ylabel("SYN drop rate / no-lookup rule's")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title("SYN flood, every source refused; all sizes in the same %d rounds\n"
                 "(QEMU TCG, 2 vCPUs, kernel 6.1; median, 95%% bootstrap bars)" % len(rounds),
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "bench-vm.png"), dpi=110)


def denied_ab(ab, info, outdir):
    """scripts/bench-vm --denied-ab: mxlock / no-lookup rule, module as
    built against the refused-sources table update compiled out."""
    import random
    out = ["### mxlock with and without its refused-sources table update\n",
           "mxlock's drop rate over the no-lookup rule's in the same round; "
           "median over the rounds of each phase, 95% bootstrap interval.\n",
           "| module | set | mxlock / no-lookup | rounds |", "|---|---|---|---|"]
    by = collections.defaultdict(list)
    for (ph, st, _), r in sorted(ab.items()):
        if r.get("mx") and r.get("ceil"):
            by[(ph, st)].append(r)
            by[(ph, 0)].append(r)
    for (ph, st) in sorted(by):
        rs = by[(ph, st)]
        lo, hi = boot_ci(rs, e2e_stat("mx"))
        out.append("| %s | %s | %s (%s-%s) | %d |" % (
            ph, st or "all", fmt(e2e_stat("mx")(rs)), fmt(lo), fmt(hi), len(rs)))
    b, n = by.get(("built", 0), []), by.get(("nodenied", 0), [])
    if b and n:
        rnd = random.Random(1)
        bs = sorted(e2e_stat("mx")([n[rnd.randrange(len(n))] for _ in n]) /
                    e2e_stat("mx")([b[rnd.randrange(len(b))] for _ in b])
                    for _ in range(2000))
        out.append("\nnodenied / built: %s (%s-%s)" % (
            fmt(e2e_stat("mx")(n) / e2e_stat("mx")(b)),
            fmt(bs[int(0.025 * len(bs))]), fmt(bs[int(0.975 * len(bs)) - 1])))
    out.append("")
    for k in ("host", "guest", "state"):
        for v in info.get(k, []):
            out.append("    " + v)
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "results.md"), "w") as fh:
        fh.write("\n".join(out) + "\n")
    print("\n".join(out))


def size_label(n):
    n = int(n)
    return {1: "1", 1000: "1k", 100000: "100k", 1000000: "1M"}.get(n, str(n))


def fmt(x, nd=3):
    return "n/a" if x is None or math.isnan(x) else ("%.*f" % (nd, x))


def main():
    log, outdir = sys.argv[1], sys.argv[2]
    wins = collections.defaultdict(dict)     # (size, win) -> flow -> rate
    ung = collections.defaultdict(dict)      # (phase, round, win) -> flow -> rate
    ab = collections.defaultdict(dict)       # (phase, set, round) -> flow -> rate
    loads = collections.defaultdict(list)    # (size, tool) -> [(secs, status, cap)]
    mems = collections.defaultdict(list)     # (size, tool) -> [dict]
    totals = collections.defaultdict(dict)   # size -> flow -> rx
    ticks = collections.defaultdict(dict)    # (size, round) -> flow -> SYNs per busy tick
    filt = collections.defaultdict(dict)     # size -> before/after -> dict
    info = {}
    sizes = []
    for line in open(log, errors="replace"):
        if not line.startswith("RES "):
            continue
        line = line.strip()
        kind = line.split()[1]
        d = kv(line)
        if kind == "win" and line.split()[2] == "ab":
            ab[(d["phase"], int(d["set"]), int(d["round"]))][d["flow"]] = \
                int(d["pkts"]) / float(d["secs"])
        elif kind == "win" and line.split()[2] == "ung":
            rate = int(d["pkts"]) / float(d["secs"])
            ung[(d["phase"], int(d["set"]), int(d["round"]))][d["flow"]] = rate
        elif kind == "win":
            n = int(d["size"])
            if n not in sizes:
                sizes.append(n)
            wins[(n, int(d["round"]))][d["flow"]] = int(d["pkts"]) / float(d["secs"])
            busy, tot = (int(x) for x in d["busy"].split("/"))
            if tot:
                info.setdefault("busy", []).append(busy / tot)
            if busy:
                ticks[(n, int(d["round"]))][d["flow"]] = int(d["pkts"]) / busy
        elif kind == "load":
            loads[(int(d["size"]), d["tool"])].append(
                (float(d["secs"]), d["status"], d["cap"]))
        elif kind == "mem":
            mems[(int(d["size"]), d["tool"])].append(
                {k: int(v) for k, v in d.items() if k.endswith("_kb")})
        elif kind == "total":
            totals[int(d["size"])][d["flow"]] = int(d["rx"])
        elif kind == "filtered":
            filt[int(d["size"])][line.split()[3]] = {
                k: int(v) for k, v in d.items() if k != "size"}
        elif kind in ("host", "guest", "softirqd", "state"):
            info.setdefault(kind, []).append(line[4:])
    out = []
    w = out.append
    if ab:
        denied_ab(ab, info, outdir)
        return
    if any("_" in f for r in wins.values() for f in r):
        same_round(wins, ticks, info, outdir)
        return

    # ---------------------------------------------------------- (a)
    res = {}   # (size, flow) -> (e2e, e2e_ci, recv, recv_ci, pps)
    for n in sizes:
        rounds = [v for (s, _), v in sorted(wins.items()) if s == n]
        for f in FILTERS:
            rs = [r for r in rounds if r.get(f) is not None and r.get("ceil")]
            if not rs:
                res[(n, f)] = None
                continue
            res[(n, f)] = (e2e_stat(f)(rs), boot_ci(rs, e2e_stat(f)),
                           recv_stat(f)(rs), boot_ci(rs, recv_stat(f)),
                           med([r[f] for r in rs]), len(rs))

    def cell(v, i):
        if v is None:
            return "n/a"
        lo, hi = v[i + 1]
        return "%s (%s-%s)" % (fmt(v[i]), fmt(lo), fmt(hi))

    w("### SYN flood to port 25, every source refused\n")
    w("Drop rate over the no-lookup rule's, median of the per-round ratios "
      "over %s rounds per size, 95%% bootstrap interval in brackets.\n"
      % "/".join(sorted({str(res[(n, "ceil")][5]) for n in sizes if res[(n, "ceil")]})))
    w("| filter | " + " | ".join(size_label(n) for n in sizes) + " |")
    w("|---|" + "---|" * len(sizes))
    for f in ["mx", "nft", "ipt", "none"]:
        w("| %s | %s |" % (NAMES[f], " | ".join(cell(res[(n, f)], 0) for n in sizes)))
    w("")
    w("Median SYNs/s of each flow while it ran (the no-lookup rule's row is "
      "the ceiling; the sink's is generator + veth alone):\n")
    w("| flow | " + " | ".join(size_label(n) for n in sizes) + " |")
    w("|---|" + "---|" * len(sizes))
    for f in FILTERS:
        w("| %s | %s |" % (NAMES[f], " | ".join(
            "n/a" if res[(n, f)] is None else "%d" % res[(n, f)][4] for n in sizes)))
    w("")
    w("Receiver side: the same ratio with the sink flow's cost per SYN "
      "(generator, veth, L2) taken out of both flows, i.e. IP layer + "
      "filter against IP layer + no-lookup rule (medians of per-round "
      "costs relative to the sink; 95% bootstrap interval):\n")
    w("| filter | " + " | ".join(size_label(n) for n in sizes) + " |")
    w("|---|" + "---|" * len(sizes))
    for f in ["mx", "nft", "ipt", "none"]:
        w("| %s | %s |" % (NAMES[f], " | ".join(cell(res[(n, f)], 2) for n in sizes)))
    w("")
    w("Check against the host's swings: the drop-rate ratio again with each "
      "rate taken per tick of vCPU time the guest actually got (busy ticks "
      "in /proc/stat) instead of per wall second:\n")
    w("| filter | " + " | ".join(size_label(n) for n in sizes) + " |")
    w("|---|" + "---|" * len(sizes))
    for f in ["mx", "nft", "ipt", "none"]:
        cells = []
        for n in sizes:
            rs = [v for (s, _), v in sorted(ticks.items()) if s == n and f in v and v.get("ceil")]
            if not rs:
                cells.append("n/a")
                continue
            lo, hi = boot_ci(rs, e2e_stat(f))
            res[(n, f, "tick")] = (e2e_stat(f)(rs), (lo, hi))
            cells.append("%s (%s-%s)" % (fmt(e2e_stat(f)(rs)), fmt(lo), fmt(hi)))
        w("| %s | %s |" % (NAMES[f], " | ".join(cells)))
    w("")

    # What each filter counted itself against what its receiver took in.
    w("Each filter's own counter over the whole flood, as a share of the "
      "SYNs its receiver took in (1.000 = every SYN dropped by it; the "
      "listener's row counts the TCP segments it sent, SYN-ACKs):\n")
    w("| filter | " + " | ".join(size_label(n) for n in sizes) + " |")
    w("|---|" + "---|" * len(sizes))
    for f in ["mx", "nft", "ipt", "ceil", "none"]:
        cells = []
        for n in sizes:
            b, a = filt[n].get("before", {}), filt[n].get("after", {})
            rx = totals[n].get(f, 0)
            if f in a and rx:
                cells.append(fmt((a[f] - b.get(f, 0)) / rx) + " of %d" % rx)
            else:
                cells.append("n/a")
        w("| %s | %s |" % (NAMES[f], " | ".join(cells)))
    w("")

    # ---------------------------------------------------------- (b)
    if ung:
        w("### Flood to unguarded ports, with and without the module\n")
        w("Per round each flow's rate over the sink flow's in the same "
          "round (cancels the host's speed); median per phase; ratio "
          "with/without.\n")
        w("| flow | with (norm.) | without (norm.) | end-to-end ratio | "
          "receiver-side ratio | pps with | pps without |")
        w("|---|---|---|---|---|---|---|")
        for f, name in (("ung", "SYN to 2525, no listener (TCP sends RST)"),
                        ("ungd", "SYN to 2526, dropped by an nft rule after the hook")):
            ph = {p: [r for (q, _, _), r in sorted(ung.items())
                      if q == p and r.get(f) and r.get("sink")]
                  for p in ("with", "without")}
            if not ph["with"] or not ph["without"]:
                continue

            def e2e(rw, ro, f=f):
                return (med([r[f] / r["sink"] for r in rw]) /
                        med([r[f] / r["sink"] for r in ro]))

            def recv(rw, ro, f=f):
                cw = med([r["sink"] / r[f] for r in rw]) - 1
                co = med([r["sink"] / r[f] for r in ro]) - 1
                return co / cw if cw > 0 else float("nan")

            import random
            rnd = random.Random(1)
            bs_e, bs_r = [], []
            for _ in range(2000):
                rw = [ph["with"][rnd.randrange(len(ph["with"]))] for _ in ph["with"]]
                ro = [ph["without"][rnd.randrange(len(ph["without"]))] for _ in ph["without"]]
                bs_e.append(e2e(rw, ro))
                bs_r.append(recv(rw, ro))
            bs_e.sort()
            bs_r = sorted(x for x in bs_r if not math.isnan(x))
            ci = lambda v: "(%s-%s)" % (fmt(v[int(0.025 * len(v))]), fmt(v[int(0.975 * len(v)) - 1])) if v else ""
            E, R = e2e(ph["with"], ph["without"]), recv(ph["with"], ph["without"])
            res[("ung", f)] = (E, R)
            w("| %s | %s | %s | %s %s | %s %s | %d | %d |" % (
                name, fmt(med([r[f] / r["sink"] for r in ph["with"]])),
                fmt(med([r[f] / r["sink"] for r in ph["without"]])),
                fmt(E), ci(bs_e), fmt(R), ci(bs_r),
                med([r[f] for r in ph["with"]]), med([r[f] for r in ph["without"]])))
        w("")

    # ---------------------------------------------------------- (c)
    w("### Loading the whole list\n")
    w("Median seconds over the timed loads (count in brackets); a load "
      "killed at its cap shows as > cap.\n")
    w("| size | mxlockctl replace -f | nft -f | ipset restore | nft / mxlock | "
      "ipset / mxlock |")
    w("|---|---|---|---|---|---|")
    ratios = {}
    for n in sizes:
        cells, m = [], {}
        for tool in ("mxlock", "nft", "ipset"):
            L = loads.get((n, tool), [])
            ok = [s for s, st, _ in L if st == "ok"]
            capped = [c for _, st, c in L if st == "capped"]
            if ok:
                m[tool] = med(ok)
                cells.append("%.2f (%d)" % (m[tool], len(ok)))
            elif capped:
                m[tool] = -float(capped[0])
                cells.append("> %s (capped)" % capped[0])
            else:
                cells.append("n/a")
        for tool in ("nft", "ipset"):
            if "mxlock" in m and tool in m:
                r = abs(m[tool]) / m["mxlock"]
                ratios[(n, tool)] = r
                cells.append(("> %.1f" if m[tool] < 0 else "%.1f") % r)
            else:
                cells.append("n/a")
        w("| %s | %s |" % (size_label(n), " | ".join(cells)))
    uf = [s for (n, t), L in loads.items() if t == "mxlock-ung" for s, st, _ in L if st == "ok"]
    if uf:
        w("\nmxlockctl replace -f of the largest list into a fresh namespace "
          "(the unguarded-port part), more samples: %s s." % ", ".join("%.1f" % s for s in uf))
    w("")
    w("Memory the loaded list took (median over loads; kB; MemAvailable "
      "drop, and the Slab / VmallocUsed / Percpu deltas):\n")
    w("| size | tool | MemAvailable | Slab | Vmalloc | Percpu |")
    w("|---|---|---|---|---|---|")
    for n in sizes:
        for tool in ("mxlock", "nft", "ipset"):
            M = mems.get((n, tool))
            if not M:
                continue
            w("| %s | %s | %d | %d | %d | %d |" % (
                size_label(n), tool, med([x["avail_kb"] for x in M]),
                med([x["slab_kb"] for x in M]), med([x["vmalloc_kb"] for x in M]),
                med([x["percpu_kb"] for x in M])))
    w("")
    w("### Run\n")
    if info.get("busy"):
        b = info.pop("busy")
        w("    generator vCPU busy during the windows: median %.3f, min %.3f" % (med(b), min(b)))
    for k in ("host", "guest", "state", "softirqd"):
        for v in info.get(k, []):
            w("    " + v)
    w("")
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write("\n".join(out) + "\n")
    print("\n".join(out))

    # ---------------------------------------------------------- plot
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report: no matplotlib (apt-get install python3-matplotlib); no plot",
              file=sys.stderr)
        return
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), sharey=False)
    style = {"mx": ("o-", "C0"), "nft": ("s-", "C1"), "ipt": ("^-", "C2"),
             "none": ("x--", "C7")}
    for ax, key, title in ((axes[0], None, "per wall second"),
                           (axes[1], "tick", "per tick of vCPU time the guest got")):
        for f in ("mx", "nft", "ipt", "none"):
            xs, ys, lo, hi = [], [], [], []
            for n in sizes:
                v, idx = (res[(n, f)], 0) if key is None else (res.get((n, f, key)), 0)
                if v is None or math.isnan(v[idx]):
                    continue
                xs.append(n * {"mx": 0.93, "nft": 0.98, "ipt": 1.03, "none": 1.08}[f])
                ys.append(v[idx])
                l, h = v[idx + 1]
                lo.append(max(0.0, v[idx] - l) if not math.isnan(l) else 0)
                hi.append(max(0.0, h - v[idx]) if not math.isnan(h) else 0)
            if xs:
                m, c = style[f]
                ax.errorbar(xs, ys, yerr=[lo, hi], fmt=m, color=c,
                            capsize=3, label=NAMES[f])
        ax.axhline(1.0, color="k", lw=0.8)
        ax.axhline(0.95, color="r", lw=0.8, ls=":", label="goal 0.95")
        ax.set_xscale("log")
        ax.set_xticks(sizes)
        ax.set_xticklabels([size_label(n) for n in sizes])
        ax.minorticks_off()
        ax.set_xlabel("allowlist size (BGP-like IPv4 prefixes)")
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("SYN drop rate / no-lookup rule's")
    axes[1].legend(fontsize=8, loc="lower left")
    fig.suptitle("SYN flood, every source refused: drop rate / no-lookup rule's "
                 "(QEMU TCG, 2 vCPUs, kernel 6.1; median of 24 rounds, 95% bootstrap bars)",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "bench-vm.png"), dpi=110)


if __name__ == "__main__":
    main()
