#!/usr/bin/python3
"""Inputs for scripts/bench-vm, from a fixed seed (same on every run).

    genlists.py OUTDIR [--sizes 1,1000,100000,1000000] [--sources 4096]

The allowlists are the prefix stream of tests/unit/prefixgen.h (xorshift64,
seed 88172645463325252, routing-table-like length mix: 70% /24), so the
list of size N here is the list the host micro-benchmark (bench/lookup.c)
times for N. Smaller lists are the first N prefixes of the largest one.
For each size N it writes, with the same prefixes, duplicates and overlaps
included (as an admin's file would have them):

    list-N.txt    one prefix a line          mxlockctl replace -f
    nft-N.nft     table ip mxbench, set s    nft -f   (interval, auto-merge)
    ipset-N.txt   set s hash:net             ipset restore -exist

and, once:

    sources.txt   the flood's source addresses: spread over unicast IPv4
                  (1.0.0.0-223.255.255.255, no 127/8, no 192.0.2.0/24)
                  and covered by none of the lists, so every SYN is refused
    syn-PORT.cfg  trafgen configs: one 54-byte Ethernet/IPv4/TCP SYN frame
                  per source to 192.0.2.25:PORT, checksums precomputed
"""
import argparse
import bisect
import os
import random
import struct

MASK64 = (1 << 64) - 1
SEED = 88172645463325252

DST_MAC = bytes.fromhex("020000000002")   # receiver's veth (set by bench-vm)
SRC_MAC = bytes.fromhex("020000000001")   # sender's veth
DST_IP = bytes([192, 0, 2, 25])


class Xorshift:
    def __init__(self, seed=SEED):
        self.s = seed

    def next(self):
        s = self.s
        s ^= (s << 13) & MASK64
        s ^= s >> 7
        s ^= (s << 17) & MASK64
        self.s = s
        return s


def v4_len(r):
    x = r.next() % 100
    if x < 70:
        return 24
    if x < 85:
        return 22 + r.next() % 2
    if x < 95:
        return 17 + r.next() % 5
    if x < 99:
        return 25 + r.next() % 8
    return 16


def gen_prefixes(n):
    r = Xorshift()
    out = []
    for _ in range(n):
        a = r.next() & 0xffffffff          # drawn before the length, as in C
        ln = v4_len(r)
        mask = (0xffffffff << (32 - ln)) & 0xffffffff if ln else 0
        out.append((a & mask, ln))
    return out


def ip(a):
    return "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)


def merged(prefixes):
    iv = sorted((a, a + (1 << (32 - ln)) - 1) for a, ln in prefixes)
    out = []
    for lo, hi in iv:
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1][1] = hi
        else:
            out.append([lo, hi])
    return out


def covered(iv, starts, a):
    i = bisect.bisect_right(starts, a) - 1
    return i >= 0 and iv[i][0] <= a <= iv[i][1]


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def syn_frame(src, dport, sport, seq):
    saddr = struct.pack("!I", src)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02,
                      65535, 0, 0)
    tsum = csum(saddr + DST_IP + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack("!H", tsum) + tcp[18:]
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000,
                      64, 6, 0, saddr, DST_IP)
    iph = iph[:10] + struct.pack("!H", csum(iph)) + iph[12:]
    return DST_MAC + SRC_MAC + b"\x08\x00" + iph + tcp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--sizes", default="1,1000,100000,1000000")
    ap.add_argument("--sources", type=int, default=4096)
    ap.add_argument("--ports", default="25,2525,2526")
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    os.makedirs(args.outdir, exist_ok=True)

    pfx = gen_prefixes(sizes[-1])
    for n in sizes:
        lines = ["%s/%d\n" % (ip(a), ln) for a, ln in pfx[:n]]
        with open(os.path.join(args.outdir, "list-%d.txt" % n), "w") as f:
            f.writelines(lines)
        with open(os.path.join(args.outdir, "ipset-%d.txt" % n), "w") as f:
            # Sized for the largest list, whatever n: one layout for all.
            f.write("create s hash:net family inet hashsize 1048576 "
                    "maxelem 2097152\n")
            f.writelines("add s " + l for l in lines)
        with open(os.path.join(args.outdir, "nft-%d.nft" % n), "w") as f:
            f.write("table ip mxbench {\n\tset s {\n\t\ttype ipv4_addr\n"
                    "\t\tflags interval\n\t\tauto-merge\n\t}\n}\n")
            for i in range(0, n, 10000):
                f.write("add element ip mxbench s { %s }\n" %
                        ", ".join(l.strip() for l in lines[i:i + 10000]))

    iv = merged(pfx)
    starts = [lo for lo, _ in iv]
    rnd = random.Random(2525)
    srcs = []
    seen = set()
    while len(srcs) < args.sources:
        a = rnd.randrange(0x01000000, 0xe0000000)
        if a >> 24 == 127 or a >> 8 == 0xc00002 or a in seen:
            continue
        if covered(iv, starts, a):
            continue
        seen.add(a)
        srcs.append(a)
    with open(os.path.join(args.outdir, "sources.txt"), "w") as f:
        f.writelines(ip(a) + "\n" for a in srcs)

    for port in (int(p) for p in args.ports.split(",")):
        frames = [syn_frame(a, port, 1024 + rnd.randrange(60000),
                            rnd.getrandbits(32)) for a in srcs]
        with open(os.path.join(args.outdir, "syn-%d.cfg" % port), "w") as f:
            f.write("/* %d TCP SYNs to 192.0.2.25:%d, one per source */\n"
                    % (len(frames), port))
            for fr in frames:
                f.write("{ " + ", ".join("0x%02x" % b for b in fr) + " }\n")

    cov = sum(hi - lo + 1 for lo, hi in iv)
    print("genlists: %d prefixes -> %d disjoint intervals covering %.1f%% of "
          "IPv4; %d sources outside" % (len(pfx), len(iv), 100.0 * cov / 2**32,
                                         len(srcs)))


if __name__ == "__main__":
    main()
