#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Plot ns/lookup against list size from scripts/bench-host's bench.csv.

    bench/plot.py build/bench/bench.csv docs/bench-lookup.png

One panel per family of lists (IPv4 BGP-like, IPv4 index worst cases, IPv6
BGP-like); log x; one line per structure, the bar through each point the
fastest and slowest of its passes. Debian: python3-matplotlib.
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NAMES = {"ours": "set.c (chunk index)", "lpm": "rte_lpm", "bsearch": "binary search"}
COLOURS = {"ours": "tab:red", "lpm": "tab:blue", "bsearch": "tab:grey"}
DASHES = {"bgp": "-", "spread": "-", "dense": ":", "clustered": "--"}


def load(path):
    with open(path, newline="") as f:
        return [r for r in csv.DictReader(f) if r["ns_med"]]


def series(rows, fam, dist, struct):
    pts = sorted(
        (int(r["n"]), float(r["ns_med"]), float(r["ns_min"]), float(r["ns_max"]))
        for r in rows
        if r["family"] == fam and r["dist"] == dist and r["struct"] == struct
    )
    return [list(c) for c in zip(*pts)] if pts else None


def line(ax, s, label, colour, dash, marker="o"):
    n, med, lo, hi = s
    ax.errorbar(
        n, med, yerr=[[m - a for m, a in zip(med, lo)], [b - m for m, b in zip(med, hi)]],
        label=label, color=colour, linestyle=dash, marker=marker, capsize=3,
        linewidth=1.5, markersize=5,
    )


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: plot.py bench.csv out.png")
    rows = load(sys.argv[1])
    fig, axes = plt.subplots(1, 3, figsize=(17, 6), sharey=True)

    ax = axes[0]
    for st in ("ours", "lpm", "bsearch"):
        s = series(rows, "4", "bgp", st)
        if s:
            line(ax, s, NAMES[st], COLOURS[st], "-")
        s = series(rows, "4", "bgp/2M", st)
        if s:
            line(ax, s, NAMES[st] + ", on 2 MiB pages", COLOURS[st], "--", "x")
    ax.set_title("IPv4, BGP-like random prefixes")

    ax = axes[1]
    markers = {"spread": "o", "dense": "s", "clustered": "^"}
    for dist in ("spread", "dense", "clustered"):
        for st in ("ours", "lpm", "bsearch"):
            s = series(rows, "4", dist, st)
            if s:
                line(ax, s, f"{NAMES[st]}: {dist}", COLOURS[st], DASHES[dist],
                     markers[dist])
    ax.set_title("IPv4, single addresses built to hurt the index")

    ax = axes[2]
    for dist in ("bgp", "clustered"):
        for st in ("ours", "lpm", "bsearch"):
            s = series(rows, "6", dist, st)
            if s:
                name = "rte_lpm6" if st == "lpm" else NAMES[st]
                line(ax, s, f"{name}: {dist}", COLOURS[st], DASHES[dist],
                     "o" if dist == "bgp" else "^")
    ax.set_title("IPv6: BGP-like; /64s clustered in one /32")

    for ax in axes:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("list size (prefixes)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    axes[0].set_ylabel("ns per lookup (median of passes; bar: min-max)")
    fig.suptitle("mxlock allowlist lookup, host micro-benchmark "
                 "(4M queries: half random, half inside listed prefixes)")
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
