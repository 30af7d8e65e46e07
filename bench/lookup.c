// SPDX-License-Identifier: GPL-2.0
/*
 * Host micro-benchmark of the allowlist lookup: kmod/set.c (the very file
 * the module compiles) against DPDK's rte_lpm (DIR-24-8) and a plain binary
 * search over the same merged intervals, on one list at a time.
 *
 * For one family, distribution and size it builds every structure, checks
 * that all of them give the same answer for every query (a disagreement is
 * a failure: exit 2), and prints one CSV row per structure: build time,
 * memory, and ns/lookup as the median of several passes over a fixed array
 * of queries, the structures interleaved pass by pass so that noise on a
 * shared machine hits them alike.
 *
 * With --callgrind it builds one structure and does only --lookups lookups
 * between CALLGRIND_START/STOP_INSTRUMENTATION, for scripts/bench-host to
 * run under `valgrind --tool=callgrind --instr-atstart=no` with N and with
 * 0 lookups: (Ir(N) - Ir(0)) / N is instructions per lookup. rte_lpm's
 * tables are then loaded from a snapshot the timing run wrote (--snapshot),
 * because building a million-rule rte_lpm under valgrind takes too long;
 * rte_lpm_lookup() is inline code over the public tbl24/tbl8 arrays, so it
 * executes the same instructions on the loaded tables.
 *
 *   lookup --family 4 --dist bgp --n 1000000 [--structs ours,lpm,bsearch]
 *   lookup --family 4 --dist bgp --n 1000000 --callgrind ours --lookups 1000000
 *
 * --load-lpm FILE times rte_lpm's lookups on the tables of a snapshot
 * instead of building it (minutes at 1M): for iterating on set.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_START_INSTRUMENTATION do { } while (0)
#define CALLGRIND_STOP_INSTRUMENTATION do { } while (0)
#endif

#include "set.h"
#include "prefixgen.h"
#include "setshape.h"

#define NOINLINE __attribute__((noinline))

enum { S_OURS, S_LPM, S_BSEARCH, S_NULL, S_MAX };
static const char *const sname[S_MAX] = { "ours", "lpm", "bsearch", "null" };

/* Options. */
static int family = 4;
static const char *dist = "bgp";
static u32 n = 1000;
static u32 nq = 4u << 20;
static int runs = 7;
static int build_runs = 5;
static double build_budget_s = 2.0;
static double lpm_max_mb = 1024;
static int want[S_MAX];
static int cg = -1;		/* --callgrind: the one structure */
static u32 cg_lookups;
static const char *snapshot;
static int load_lpm;		/* --load-lpm: rte_lpm from the snapshot */
static int header;
static int thp;		/* --thp: time again on 2 MiB pages */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lookup: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		die("out of memory (%zu bytes)", size);
	return p;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int k)
{
	qsort(v, k, sizeof(*v), cmp_double);
	return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

/* ---- The lists ---------------------------------------------------------- */

struct pfx4 {
	u32 net;
	u8 len;
};

struct pfx6 {
	struct mxlock_key lo, hi;
	u8 len;
};

static u32 hostmask4(unsigned int len)
{
	return len >= 32 ? 0 : ~0U >> len;
}

/*
 * bgp: test_scale's generator (mostly /24). The others are built to stress
 * the chunk index, single addresses all:
 *  spread:    evenly over the whole space; about one interval per chunk,
 *             the index's design point, every dir entry in use.
 *  dense:     every other address from 10.0.0.0; a small span, so chunks
 *             of 2 addresses: the index's best case.
 *  clustered: dense plus 0.0.0.1 and 255.255.255.254: the span is the
 *             whole space, so chunks of 2^32 / 2^bits addresses, each in
 *             the cluster holding thousands of intervals: the longest runs
 *             a set of this size can have.
 */
static struct pfx4 *gen4(void)
{
	struct pfx4 *p = xmalloc(sizeof(*p) * n);
	u32 i, first = 0;

	if (!strcmp(dist, "bgp")) {
		for (i = 0; i < n; i++) {
			unsigned int len;

			p[i].net = gen_prefix4(&len);
			p[i].len = len;
		}
		return p;
	}
	if (!strcmp(dist, "spread")) {
		u64 stride = (1ULL << 32) / n;

		for (i = 0; i < n; i++) {
			p[i].net = (u32)(i * stride + stride / 2);
			p[i].len = 32;
		}
	} else if (!strcmp(dist, "dense") || !strcmp(dist, "clustered")) {
		if (!strcmp(dist, "clustered") && n >= 3) {
			p[0].net = 0x00000001;
			p[1].net = 0xfffffffe;
			p[0].len = p[1].len = 32;
			first = 2;
		}
		for (i = first; i < n; i++) {
			p[i].net = 0x0a000000 + 2 * (i - first);
			p[i].len = 32;
		}
	} else {
		die("unknown IPv4 distribution %s", dist);
	}
	/* Unsorted, as bgp's: every structure pays for ordering its input. */
	for (i = n - 1; i > 0; i--) {
		u32 j = rnd64() % (i + 1);
		struct pfx4 t = p[i];

		p[i] = p[j];
		p[j] = t;
	}
	return p;
}

static struct pfx6 *gen6(void)
{
	struct pfx6 *p = xmalloc(sizeof(*p) * n);
	u32 i;

	if (!strcmp(dist, "bgp")) {
		for (i = 0; i < n; i++) {
			unsigned int len;

			gen_prefix6(&p[i].lo, &p[i].hi, &len);
			p[i].len = len;
		}
		return p;
	}
	if (strcmp(dist, "clustered"))
		die("unknown IPv6 distribution %s", dist);
	/*
	 * One provider's customer /64s, every other one from 2001:db8::/64,
	 * plus a /64 at each end of 2000::/3. The index cuts only the top 64
	 * bits of the span into chunks, 2^61 / 2^bits /64s each: the whole
	 * cluster shares one chunk.
	 */
	for (i = 0; i < n; i++) {
		u32 k = n >= 3 ? i - 2 : i;

		p[i].lo.hi = 0x20010db800000000ULL + 2ULL * k;
		if (n >= 3 && i < 2)
			p[i].lo.hi = i ? 0x3ffffffffffffffeULL :
					 0x2000000000000001ULL;
		p[i].lo.lo = 0;
		p[i].hi.hi = p[i].lo.hi;
		p[i].hi.lo = ~0ULL;
		p[i].len = 64;
	}
	for (i = n - 1; i > 0; i--) {
		u32 j = rnd64() % (i + 1);
		struct pfx6 t = p[i];

		p[i] = p[j];
		p[j] = t;
	}
	return p;
}

/* Half random addresses, half inside listed prefixes; shuffled. */
static u32 *queries4(const struct pfx4 *p)
{
	u32 *q = xmalloc(sizeof(*q) * nq), i;

	for (i = 0; i < nq; i++) {
		if (i < nq / 2) {
			q[i] = (u32)rnd64();
		} else {
			const struct pfx4 *x = &p[rnd64() % n];

			q[i] = x->net | ((u32)rnd64() & hostmask4(x->len));
		}
	}
	for (i = nq - 1; i > 0; i--) {
		u32 j = rnd64() % (i + 1), t = q[i];

		q[i] = q[j];
		q[j] = t;
	}
	return q;
}

/* Random ones in 2000::/3, where the lists are; a random one elsewhere
 * would be turned away by the first comparison. */
static struct mxlock_key *queries6(const struct pfx6 *p)
{
	struct mxlock_key *q = xmalloc(sizeof(*q) * nq), t;
	u32 i;

	for (i = 0; i < nq; i++) {
		if (i < nq / 2) {
			q[i].hi = (rnd64() & 0x1fffffffffffffffULL) |
				  0x2000000000000000ULL;
			q[i].lo = rnd64();
		} else {
			const struct pfx6 *x = &p[rnd64() % n];
			u64 h = rnd64(), l = rnd64();

			/* lo..hi is a prefix: bits where they differ are free. */
			q[i].hi = x->lo.hi | (h & (x->lo.hi ^ x->hi.hi));
			q[i].lo = x->lo.lo | (l & (x->lo.lo ^ x->hi.lo));
		}
	}
	for (i = nq - 1; i > 0; i--) {
		u32 j = rnd64() % (i + 1);

		t = q[i];
		q[i] = q[j];
		q[j] = t;
	}
	return q;
}

/* ---- The plain binary search: sorted, merged intervals, no index ------- */

struct bs4 {
	struct mxlock_range4 *r;
	u32 n;
};

struct bs6 {
	struct mxlock_range *r;
	u32 n;
};

static int cmp_r4(const void *a, const void *b)
{
	const struct mxlock_range4 *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

static int cmp_r6(const void *a, const void *b)
{
	const struct mxlock_range *x = a, *y = b;
	int c = mxlock_key_cmp(&x->lo, &y->lo);

	return c ? c : mxlock_key_cmp(&x->hi, &y->hi);
}

static struct bs4 bs4_build(const struct pfx4 *p)
{
	struct bs4 b = { xmalloc(sizeof(*b.r) * n), 0 };
	u32 i;

	for (i = 0; i < n; i++) {
		b.r[i].lo = p[i].net;
		b.r[i].hi = p[i].net | hostmask4(p[i].len);
	}
	qsort(b.r, n, sizeof(*b.r), cmp_r4);
	for (i = 0; i < n; i++) {
		struct mxlock_range4 *last = b.n ? &b.r[b.n - 1] : NULL;

		if (last && (last->hi == ~0U || b.r[i].lo <= last->hi + 1)) {
			if (b.r[i].hi > last->hi)
				last->hi = b.r[i].hi;
			continue;
		}
		b.r[b.n++] = b.r[i];
	}
	return b;
}

static inline bool bs4_contains(const struct bs4 *b, u32 addr)
{
	u32 lo = 0, hi = b->n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (b->r[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && addr <= b->r[lo - 1].hi;
}

static struct mxlock_key key_next(struct mxlock_key k)
{
	if (++k.lo == 0)
		k.hi++;
	return k;
}

static struct bs6 bs6_build(const struct pfx6 *p)
{
	struct bs6 b = { xmalloc(sizeof(*b.r) * n), 0 };
	u32 i;

	for (i = 0; i < n; i++) {
		b.r[i].lo = p[i].lo;
		b.r[i].hi = p[i].hi;
	}
	qsort(b.r, n, sizeof(*b.r), cmp_r6);
	for (i = 0; i < n; i++) {
		struct mxlock_range *last = b.n ? &b.r[b.n - 1] : NULL;

		if (last) {
			struct mxlock_key next = key_next(last->hi);
			bool max = !~last->hi.hi && !~last->hi.lo;

			if (max || mxlock_key_cmp(&b.r[i].lo, &next) <= 0) {
				if (mxlock_key_cmp(&b.r[i].hi, &last->hi) > 0)
					last->hi = b.r[i].hi;
				continue;
			}
		}
		b.r[b.n++] = b.r[i];
	}
	return b;
}

static inline bool bs6_contains(const struct bs6 *b,
				const struct mxlock_key *addr)
{
	u32 lo = 0, hi = b->n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (mxlock_key_cmp(&b->r[mid].lo, addr) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && mxlock_key_cmp(addr, &b->r[lo - 1].hi) <= 0;
}

/* ---- Ours ----------------------------------------------------------------- */

static struct mxlock_set *ours4_build(const struct pfx4 *p)
{
	struct mxlock_staging st = { 0 };
	struct mxlock_set *s;
	u32 i;

	for (i = 0; i < n; i++)
		if (mxlock_staging_push4(&st, p[i].net,
					 p[i].net | hostmask4(p[i].len), ~0U))
			die("staging push failed");
	s = mxlock_set_build(&st);
	mxlock_staging_release(&st);
	if (!s)
		die("mxlock_set_build failed");
	return s;
}

static struct mxlock_set *ours6_build(const struct pfx6 *p)
{
	struct mxlock_staging st = { 0 };
	struct mxlock_set *s;
	u32 i;

	for (i = 0; i < n; i++)
		if (mxlock_staging_push6(&st, &p[i].lo, &p[i].hi, ~0U))
			die("staging push failed");
	s = mxlock_set_build(&st);
	mxlock_staging_release(&st);
	if (!s)
		die("mxlock_set_build failed");
	return s;
}

/* ---- rte_lpm / rte_lpm6 ---------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u32 count_distinct(u64 *v, u32 k)
{
	u32 i, d = 0;

	qsort(v, k, sizeof(*v), cmp_u64);
	for (i = 0; i < k; i++)
		if (!i || v[i] != v[i - 1])
			d++;
	return d;
}

/* tbl8 groups rte_lpm needs: one per /24 that holds a longer prefix. */
static u32 lpm4_tbl8s(const struct pfx4 *p)
{
	u64 *v = xmalloc(sizeof(*v) * n);
	u32 i, k = 0, d;

	for (i = 0; i < n; i++)
		if (p[i].len > 24)
			v[k++] = p[i].net >> 8;
	d = count_distinct(v, k);
	free(v);
	return d ? d : 1;
}

/* rte_lpm6: one group per distinct node at bits 24, 32, ... above a rule. */
static u32 lpm6_tbl8s(const struct pfx6 *p)
{
	u64 *v = xmalloc(sizeof(*v) * n);
	u32 total = 0, i, k;
	unsigned int bits;

	/* Lists here are in 2000::/3 with prefixes of at most /64. */
	for (bits = 24; bits < 64; bits += 8) {
		for (i = 0, k = 0; i < n; i++)
			if (p[i].len > bits)
				v[k++] = p[i].lo.hi >> (64 - bits);
		total += count_distinct(v, k);
	}
	free(v);
	return total ? total : 1;
}

static double lpm4_mb(u32 tbl8s)
{
	return (sizeof(struct rte_lpm) + (double)tbl8s * 256 * 4 +
		(double)n * 8) / (1 << 20);
}

static double lpm6_mb(u32 tbl8s)
{
	/* tbl24 and tbl8s of 4-byte entries, a 24-byte rule per hash slot. */
	return ((double)(1 << 24) * 4 + (double)tbl8s * 256 * 4 +
		(double)n * 24) / (1 << 20);
}

static int eal_up;

static void eal_init(double mb)
{
	char mem[32];
	char *argv[] = {
		"lookup", "--no-huge", "--no-pci", "--no-shconf",
		"--no-telemetry", "-l", "0", "-m", mem,
		"--log-level=error", NULL
	};

	if (eal_up)
		return;
	snprintf(mem, sizeof(mem), "%.0f", mb + 64);
	optind = 1;	/* EAL parses with getopt too */
	if (rte_eal_init(sizeof(argv) / sizeof(argv[0]) - 1, argv) < 0)
		die("rte_eal_init: %s", rte_strerror(rte_errno));
	eal_up = 1;
}

static struct rte_lpm *lpm4_build(const struct pfx4 *p, u32 tbl8s)
{
	struct rte_lpm_config cfg = { .max_rules = n, .number_tbl8s = tbl8s };
	struct rte_lpm *l = rte_lpm_create("bench", SOCKET_ID_ANY, &cfg);
	u32 i;

	if (!l)
		die("rte_lpm_create: %s", rte_strerror(rte_errno));
	for (i = 0; i < n; i++) {
		int err = rte_lpm_add(l, p[i].net, p[i].len, 1);

		if (err)
			die("rte_lpm_add: %s", strerror(-err));
	}
	return l;
}

static struct rte_lpm6 *lpm6_build(const struct pfx6 *p, u32 tbl8s)
{
	struct rte_lpm6_config cfg = { .max_rules = n, .number_tbl8s = tbl8s };
	struct rte_lpm6 *l = rte_lpm6_create("bench6", SOCKET_ID_ANY, &cfg);
	u32 i;

	if (!l)
		die("rte_lpm6_create: %s", rte_strerror(rte_errno));
	for (i = 0; i < n; i++) {
		u8 ip[16];
		int b, err;

		for (b = 0; b < 8; b++) {
			ip[b] = p[i].lo.hi >> (56 - 8 * b);
			ip[8 + b] = p[i].lo.lo >> (56 - 8 * b);
		}
		err = rte_lpm6_add(l, ip, p[i].len, 1);
		if (err)
			die("rte_lpm6_add: %s", strerror(-err));
	}
	return l;
}

/* An rte_lpm's lookup tables, to look up in again without DPDK. */
#define SNAP_MAGIC 0x4d584c504d534e31ULL	/* "MXLPMSN1" */

static void snap_write(const struct rte_lpm *l, u32 tbl8s)
{
	FILE *f = fopen(snapshot, "wb");
	u64 magic = SNAP_MAGIC;

	if (!f ||
	    fwrite(&magic, sizeof(magic), 1, f) != 1 ||
	    fwrite(&tbl8s, sizeof(tbl8s), 1, f) != 1 ||
	    fwrite(l->tbl24, sizeof(l->tbl24), 1, f) != 1 ||
	    fwrite(l->tbl8, (size_t)tbl8s * 256 * 4, 1, f) != 1 ||
	    fclose(f))
		die("writing %s: %s", snapshot, strerror(errno));
}

static struct rte_lpm *snap_read(u32 want_tbl8s)
{
	FILE *f = fopen(snapshot, "rb");
	struct rte_lpm *l = aligned_alloc(64, sizeof(*l));
	u64 magic = 0;
	u32 tbl8s = 0;

	if (!f || !l)
		die("reading %s: %s", snapshot, f ? "out of memory" :
		    strerror(errno));
	if (fread(&magic, sizeof(magic), 1, f) != 1 || magic != SNAP_MAGIC ||
	    fread(&tbl8s, sizeof(tbl8s), 1, f) != 1 || tbl8s != want_tbl8s)
		die("%s: not a snapshot of this list", snapshot);
	l->tbl8 = xmalloc((size_t)tbl8s * 256 * 4);
	if (fread(l->tbl24, sizeof(l->tbl24), 1, f) != 1 ||
	    fread(l->tbl8, (size_t)tbl8s * 256 * 4, 1, f) != 1)
		die("%s: short", snapshot);
	fclose(f);
	return l;
}

/*
 * A copy of [src, src + len) on 2 MiB pages, as DPDK's hugepages would back
 * rte_lpm in production (and as kvmalloc() backs the module's large sets,
 * when the kernel has 2 MiB pages free).
 * DPDK's --no-huge memory is shared anonymous memory, which THP leaves
 * alone, hence copies, for every structure alike. Adds to *huge the bytes
 * the kernel did put on huge pages.
 */
static void *huge_copy(const void *src, size_t len, size_t *huge)
{
	const size_t hp = 2UL << 20;
	size_t map = (len + hp - 1) & ~(hp - 1);
	char *m = mmap(NULL, map + hp, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *p;
	char line[256];
	FILE *f;
	int in = 0;

	if (m == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	p = (char *)(((uintptr_t)m + hp - 1) & ~(hp - 1));
	madvise(p, map, MADV_HUGEPAGE);
	memcpy(p, src, len);
	madvise(p, map, 25 /* MADV_COLLAPSE, Linux 6.1 */);
	/* How much of it is on huge pages, from the VMAs that overlap it. */
	f = fopen("/proc/self/smaps", "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, kb;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = lo < (uintptr_t)p + map && hi > (uintptr_t)p;
		else if (in && sscanf(line, "AnonHugePages: %lu kB", &kb) == 1)
			*huge += kb << 10;
	}
	if (f)
		fclose(f);
	return p;
}

/* ---- The timed loops: one per structure, never inlined ------------------ */

static NOINLINE u64 loop_ours4(const struct mxlock_set *s, const u32 *q, u32 k)
{
	u64 hits = 0;
	u32 i;

	for (i = 0; i < k; i++)
		hits += mxlock_set_contains4(s, q[i]);
	return hits;
}

static NOINLINE u64 loop_lpm4(const struct rte_lpm *l, const u32 *q, u32 k)
{
	u64 hits = 0;
	u32 i, nh;

	for (i = 0; i < k; i++)
		hits += rte_lpm_lookup(l, q[i], &nh) == 0;
	return hits;
}

static NOINLINE u64 loop_bs4(const struct bs4 *b, const u32 *q, u32 k)
{
	u64 hits = 0;
	u32 i;

	for (i = 0; i < k; i++)
		hits += bs4_contains(b, q[i]);
	return hits;
}

/* The loop alone: what every figure above includes. */
static NOINLINE u64 loop_null4(const u32 *q, u32 k)
{
	u64 hits = 0;
	u32 i;

	for (i = 0; i < k; i++)
		hits += q[i] >> 31;
	return hits;
}

static NOINLINE u64 loop_ours6(const struct mxlock_set *s,
			       const struct mxlock_key *q, u32 k)
{
	u64 hits = 0;
	u32 i;

	for (i = 0; i < k; i++)
		hits += mxlock_set_contains6(s, &q[i]);
	return hits;
}

static void key_bytes(const struct mxlock_key *k, u8 *ip)
{
	int b;

	for (b = 0; b < 8; b++) {
		ip[b] = k->hi >> (56 - 8 * b);
		ip[8 + b] = k->lo >> (56 - 8 * b);
	}
}

/* rte_lpm6 takes byte strings: convert once, outside the timed loop. */
static NOINLINE u64 loop_lpm6(const struct rte_lpm6 *l, const u8 (*q)[16],
			      u32 k)
{
	u64 hits = 0;
	u32 i, nh;

	for (i = 0; i < k; i++)
		hits += rte_lpm6_lookup(l, q[i], &nh) == 0;
	return hits;
}

static NOINLINE u64 loop_bs6(const struct bs6 *b, const struct mxlock_key *q,
			     u32 k)
{
	u64 hits = 0;
	u32 i;

	for (i = 0; i < k; i++)
		hits += bs6_contains(b, &q[i]);
	return hits;
}

static NOINLINE u64 loop_null6(const struct mxlock_key *q, u32 k)
{
	u64 hits = 0;
	u32 i;

	for (i = 0; i < k; i++)
		hits += q[i].lo >> 63;
	return hits;
}

/* ---- Driver --------------------------------------------------------------- */

struct bench {
	/* The list and the queries. */
	struct pfx4 *p4;
	struct pfx6 *p6;
	u32 *q4;
	struct mxlock_key *q6;
	u8 (*q6b)[16];
	/* The structures. */
	struct mxlock_set *ours;
	struct rte_lpm *lpm;
	struct rte_lpm6 *lpm6;
	struct bs4 bs4;
	struct bs6 bs6;
	u32 tbl8s;
	/* Results. */
	double build_ms[S_MAX];
	double bytes[S_MAX];
	const char *skipped[S_MAX];
	char skipbuf[S_MAX][96];
	size_t huge[S_MAX];	/* bytes on 2 MiB pages, after --thp */
	/* Per pass: ns/lookup, and the ratios to rte_lpm and bsearch. */
	double t[S_MAX][64], ratio_lpm[S_MAX][64], ratio_bs[S_MAX][64];
	u64 hits[S_MAX];
};

static u64 lookups(struct bench *b, int s, u32 k)
{
	if (family == 4) {
		switch (s) {
		case S_OURS: return loop_ours4(b->ours, b->q4, k);
		case S_LPM: return loop_lpm4(b->lpm, b->q4, k);
		case S_BSEARCH: return loop_bs4(&b->bs4, b->q4, k);
		default: return loop_null4(b->q4, k);
		}
	}
	switch (s) {
	case S_OURS: return loop_ours6(b->ours, b->q6, k);
	case S_LPM: return loop_lpm6(b->lpm6, (const u8 (*)[16])b->q6b, k);
	case S_BSEARCH: return loop_bs6(&b->bs6, b->q6, k);
	default: return loop_null6(b->q6, k);
	}
}

static int answer(struct bench *b, int s, u32 i)
{
	u32 nh;

	if (family == 4) {
		switch (s) {
		case S_OURS: return mxlock_set_contains4(b->ours, b->q4[i]);
		case S_LPM: return rte_lpm_lookup(b->lpm, b->q4[i], &nh) == 0;
		default: return bs4_contains(&b->bs4, b->q4[i]);
		}
	}
	switch (s) {
	case S_OURS: return mxlock_set_contains6(b->ours, &b->q6[i]);
	case S_LPM: return rte_lpm6_lookup(b->lpm6, b->q6b[i], &nh) == 0;
	default: return bs6_contains(&b->bs6, &b->q6[i]);
	}
}

static void free_struct(struct bench *b, int s)
{
	switch (s) {
	case S_OURS:
		mxlock_set_free(b->ours);
		b->ours = NULL;
		break;
	case S_LPM:
		if (load_lpm) {
			free(b->lpm->tbl8);
			free(b->lpm);
		} else if (family == 4)
			rte_lpm_free(b->lpm);
		else
			rte_lpm6_free(b->lpm6);
		b->lpm = NULL;
		b->lpm6 = NULL;
		break;
	case S_BSEARCH:
		free(family == 4 ? (void *)b->bs4.r : (void *)b->bs6.r);
		b->bs4.r = NULL;
		b->bs6.r = NULL;
		break;
	}
}

static void build_once(struct bench *b, int s)
{
	switch (s) {
	case S_OURS:
		b->ours = family == 4 ? ours4_build(b->p4) : ours6_build(b->p6);
		break;
	case S_LPM:
		if (family == 4)
			b->lpm = lpm4_build(b->p4, b->tbl8s);
		else
			b->lpm6 = lpm6_build(b->p6, b->tbl8s);
		break;
	case S_BSEARCH:
		if (family == 4)
			b->bs4 = bs4_build(b->p4);
		else
			b->bs6 = bs6_build(b->p6);
		break;
	}
}

/* Build s: the median of up to build_runs builds, within a time budget. */
static void build(struct bench *b, int s)
{
	double t[64], spent = 0;
	int k = 0;

	for (;;) {
		double t0 = now();

		build_once(b, s);
		t[k] = now() - t0;
		spent += t[k++];
		if (k >= build_runs || spent >= build_budget_s)
			break;
		free_struct(b, s);
	}
	b->build_ms[s] = median(t, k) * 1e3;
	switch (s) {
	case S_OURS:
		b->bytes[s] = mxlock_set_bytes(b->ours);
		break;
	case S_LPM:
		b->bytes[s] = (family == 4 ? lpm4_mb(b->tbl8s) :
			       lpm6_mb(b->tbl8s)) * (1 << 20);
		break;
	case S_BSEARCH:
		b->bytes[s] = family == 4 ? b->bs4.n * sizeof(b->bs4.r[0]) :
					    b->bs6.n * sizeof(b->bs6.r[0]);
		break;
	}
}

/*
 * The index's shape (tests/unit/setshape.h): IPv4, chunks and the most
 * dependent cache lines a lookup reads after the set header, with the
 * crowded chunks (3 lines) in meanrun's place; IPv6, nodes and the longest
 * run a lookup searches, with the tree's depth in meanrun's place.
 */
static void index_shape(const struct mxlock_set *s, u32 *chunks, u32 *maxrun,
			double *meanrun)
{
	struct set_shape sh = set_shape(s);

	if (sh.bad4 || sh.bad6)
		die("set.c's index is unsound: %u leaves, %u slots", sh.bad4,
		    sh.bad6);
	*chunks = family == 4 ? sh.chunks4 : sh.nodes6;
	*maxrun = family == 4 ? sh.lines4 : sh.run6;
	*meanrun = family == 4 ? sh.crowded4 : sh.depth6;
}

static const int order[] = { S_OURS, S_LPM, S_BSEARCH };

/* Timed passes over all queries, structures interleaved; the lead rotates. */
static void passes(struct bench *b)
{
	int r, k, s;

	for (r = 0; r < runs; r++) {
		for (k = 0; k < 3; k++) {
			double t0;
			u64 h;

			s = order[(k + r) % 3];
			if (!want[s])
				continue;
			t0 = now();
			h = lookups(b, s, nq);
			b->t[s][r] = (now() - t0) * 1e9 / nq;
			if (r && h != b->hits[s])
				die("%s: hit count changed between passes", sname[s]);
			b->hits[s] = h;
		}
		for (s = 0; s < S_NULL; s++) {
			if (!want[s])
				continue;
			b->ratio_lpm[s][r] = want[S_LPM] ?
					     b->t[s][r] / b->t[S_LPM][r] : 0;
			b->ratio_bs[s][r] = want[S_BSEARCH] ?
					    b->t[s][r] / b->t[S_BSEARCH][r] : 0;
		}
	}
}

/* One CSV row per structure. */
static void report(struct bench *b, const char *label, u32 nr, u32 chunks,
		   u32 maxrun, double meanrun)
{
	int k, s;

	for (k = 0; k < 3; k++) {
		double sorted[64];

		s = order[k];
		if (!want[s]) {
			if (b->skipped[s])
				printf("%d,%s,%u,%s,,,,,,,,,,,,,,%s\n", family,
				       label, n, sname[s], b->skipped[s]);
			continue;
		}
		memcpy(sorted, b->t[s], sizeof(double) * runs);
		qsort(sorted, runs, sizeof(double), cmp_double);
		printf("%d,%s,%u,%s,%u,", family, label, n, sname[s], nr);
		if (b->build_ms[s] >= 0)	/* not when loaded */
			printf("%.3f", b->build_ms[s]);
		printf(",%.0f,%.2f,%.2f,%.2f,%.2f,", b->bytes[s],
		       b->bytes[s] / n, median(b->t[s], runs), sorted[0],
		       sorted[runs - 1]);
		if (want[S_LPM])
			printf("%.3f", median(b->ratio_lpm[s], runs));
		printf(",");
		if (want[S_BSEARCH])
			printf("%.3f", median(b->ratio_bs[s], runs));
		printf(",%.1f,", 100.0 * b->hits[s] / nq);
		if (s == S_OURS)
			printf("%u,%u,%.2f,", chunks, maxrun, meanrun);
		else
			printf(",,,");
		if (s == S_LPM)
			printf("%u tbl8 groups", b->tbl8s);
		if (b->huge[s])
			printf("%s%.1f MiB on 2M pages", s == S_LPM ? "; " : "",
			       b->huge[s] / 1048576.0);
		printf("\n");
	}
	fflush(stdout);
}

static void usage(void)
{
	fprintf(stderr,
"usage: lookup [--family 4|6] [--dist bgp|spread|dense|clustered] [--n N]\n"
"              [--queries Q] [--runs R] [--build-runs B] [--build-budget S]\n"
"              [--structs ours,lpm,bsearch] [--lpm-max-mb MB]\n"
"              [--snapshot FILE | --load-lpm FILE] [--thp] [--header]\n"
"       lookup ... --callgrind ours|lpm|bsearch|null --lookups N\n");
	exit(1);
}

static int struct_index(const char *name)
{
	int s;

	for (s = 0; s < S_MAX; s++)
		if (!strcmp(name, sname[s]))
			return s;
	die("unknown structure %s", name);
	return -1;
}

static void parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "family", 1, NULL, 'f' }, { "dist", 1, NULL, 'd' },
		{ "n", 1, NULL, 'n' }, { "queries", 1, NULL, 'q' },
		{ "runs", 1, NULL, 'r' }, { "build-runs", 1, NULL, 'B' },
		{ "build-budget", 1, NULL, 'T' }, { "structs", 1, NULL, 's' },
		{ "lpm-max-mb", 1, NULL, 'M' }, { "callgrind", 1, NULL, 'c' },
		{ "lookups", 1, NULL, 'l' }, { "snapshot", 1, NULL, 'S' },
		{ "header", 0, NULL, 'H' }, { "thp", 0, NULL, 'P' },
		{ "load-lpm", 1, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	char *list = NULL, *tok;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'f': family = atoi(optarg); break;
		case 'd': dist = optarg; break;
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 'q': nq = strtoul(optarg, NULL, 0); break;
		case 'r': runs = atoi(optarg); break;
		case 'B': build_runs = atoi(optarg); break;
		case 'T': build_budget_s = atof(optarg); break;
		case 's': list = optarg; break;
		case 'M': lpm_max_mb = atof(optarg); break;
		case 'c': cg = struct_index(optarg); break;
		case 'l': cg_lookups = strtoul(optarg, NULL, 0); break;
		case 'S': snapshot = optarg; break;
		case 'H': header = 1; break;
		case 'P': thp = 1; break;
		case 'L': snapshot = optarg; load_lpm = 1; break;
		default: usage();
		}
	}
	if (optind != argc || (family != 4 && family != 6) || !n || nq < 2 ||
	    runs < 1 || runs > 64 || build_runs < 1 || build_runs > 64)
		usage();
	if (!list) {
		want[S_OURS] = want[S_LPM] = want[S_BSEARCH] = 1;
	} else {
		for (tok = strtok(list, ","); tok; tok = strtok(NULL, ","))
			want[struct_index(tok)] = 1;
	}
	if (cg >= 0 && cg_lookups > nq)
		die("--lookups must be at most --queries (%u)", nq);
}

static int callgrind_mode(struct bench *b)
{
	u64 hits;

	if (cg == S_LPM && family == 4) {
		if (!snapshot)
			die("callgrind of IPv4 lpm: from a --snapshot only");
		b->lpm = snap_read(b->tbl8s);
	} else if (cg == S_LPM) {
		/* rte_lpm6 is opaque: build it, EAL and all, under valgrind. */
		eal_init(lpm6_mb(b->tbl8s));
		b->q6b = xmalloc(sizeof(*b->q6b) * nq);
		for (u32 i = 0; i < nq; i++)
			key_bytes(&b->q6[i], b->q6b[i]);
		build_once(b, cg);
	} else if (cg != S_NULL) {
		build_once(b, cg);
	}
	CALLGRIND_START_INSTRUMENTATION;
	hits = lookups(b, cg, cg_lookups);
	CALLGRIND_STOP_INSTRUMENTATION;
	printf("%s %u lookups, %llu hits\n", sname[cg], cg_lookups,
	       (unsigned long long)hits);
	return 0;
}

int main(int argc, char **argv)
{
	struct bench b = { 0 };
	u32 nr, chunks = 0, maxrun = 0, i, bad = 0;
	double meanrun = 0;
	int s, k;

	parse(argc, argv);
	if (family == 4) {
		b.p4 = gen4();
		b.q4 = queries4(b.p4);
	} else {
		b.p6 = gen6();
		b.q6 = queries6(b.p6);
	}
	if (want[S_LPM] || cg == S_LPM)
		b.tbl8s = family == 4 ? lpm4_tbl8s(b.p4) : lpm6_tbl8s(b.p6);
	if (cg >= 0)
		return callgrind_mode(&b);

	if (want[S_LPM]) {
		double mb = family == 4 ? lpm4_mb(b.tbl8s) : lpm6_mb(b.tbl8s);

		/* rte_lpm's rule table makes each add O(rules of its length). */
		if (mb > lpm_max_mb) {
			snprintf(b.skipbuf[S_LPM], sizeof(b.skipbuf[S_LPM]),
				 "tables would take %.0f MiB > --lpm-max-mb %.0f",
				 mb, lpm_max_mb);
			b.skipped[S_LPM] = b.skipbuf[S_LPM];
			want[S_LPM] = 0;
		} else if (load_lpm) {
			if (family != 4)
				die("--load-lpm: IPv4 only");
			b.lpm = snap_read(b.tbl8s);
			b.build_ms[S_LPM] = -1;
			b.bytes[S_LPM] = mb * (1 << 20);
		} else {
			eal_init(mb);
		}
	}
	if (family == 6 && want[S_LPM]) {
		b.q6b = xmalloc(sizeof(*b.q6b) * nq);
		for (i = 0; i < nq; i++)
			key_bytes(&b.q6[i], b.q6b[i]);
	}
	for (s = 0; s < S_NULL; s++)
		if (want[s] && !(s == S_LPM && load_lpm))
			build(&b, s);
	if (snapshot && !load_lpm && want[S_LPM] && family == 4)
		snap_write(b.lpm, b.tbl8s);

	if (!want[S_OURS])
		die("the benchmark is of ours: --structs must include it");
	/* The same merged intervals in ours and in the baseline. */
	nr = family == 4 ? b.ours->nr4 : b.ours->nr6;
	if (want[S_BSEARCH] && want[S_OURS] &&
	    (family == 4 ? (b.bs4.n != nr ||
			    memcmp(b.bs4.r, b.ours->r4, nr * sizeof(b.bs4.r[0]))) :
			   (b.bs6.n != nr ||
			    memcmp(b.bs6.r, b.ours->r6, nr * sizeof(b.bs6.r[0]))))) {
		fprintf(stderr, "lookup: FAIL: ours and bsearch merged the list differently\n");
		return 2;
	}
	/* Every structure gives the same answer to every query. */
	for (i = 0; i < nq; i++) {
		int ref = -1;

		for (k = 0; k < 3; k++) {
			int a;

			s = order[k];
			if (!want[s])
				continue;
			a = answer(&b, s, i);
			if (ref < 0) {
				ref = a;
			} else if (a != ref) {
				if (bad++ < 10)
					fprintf(stderr, "lookup: FAIL: query %u: %s says %d, %s says %d\n",
						i, sname[order[0]], ref,
						sname[s], a);
			}
		}
	}
	if (bad) {
		fprintf(stderr, "lookup: FAIL: %u disagreements (IPv%d %s n=%u)\n",
			bad, family, dist, n);
		return 2;
	}

	if (want[S_OURS])
		index_shape(b.ours, &chunks, &maxrun, &meanrun);
	if (header)
		printf("family,dist,n,struct,intervals,build_ms,bytes,bytes_per_prefix,"
		       "ns_med,ns_min,ns_max,vs_lpm,vs_bsearch,hit_pct,chunks,"
		       "maxrun,meanrun,note\n");
	passes(&b);
	report(&b, dist, nr, chunks, maxrun, meanrun);
	if (thp) {
		char label[64];

		if (want[S_OURS]) {
			struct mxlock_set *o = b.ours, *c;

			/*
			 * The set points into itself; copied at the same
			 * offset within a cache line, its leaves stay on
			 * whole lines.
			 */
			size_t mis = (uintptr_t)o & 63;
			char *cp = (char *)huge_copy((char *)o - mis,
					     mxlock_set_bytes(o) + mis,
					     &b.huge[S_OURS]) + mis;
			ptrdiff_t d = cp - (char *)o;

			c = (struct mxlock_set *)cp;
			c->r6 = (void *)((char *)o->r6 + d);
			c->leaf4 = (void *)((char *)o->leaf4 + d);
			c->dir4 = (void *)((char *)o->dir4 + d);
			c->sub4 = (void *)((char *)o->sub4 + d);
			c->node6 = (void *)((char *)o->node6 + d);
			c->ent6 = (void *)((char *)o->ent6 + d);
			b.ours = c;
		}
		if (want[S_BSEARCH] && family == 4)
			b.bs4.r = huge_copy(b.bs4.r, b.bs4.n * sizeof(*b.bs4.r),
					    &b.huge[S_BSEARCH]);
		if (want[S_BSEARCH] && family == 6)
			b.bs6.r = huge_copy(b.bs6.r, b.bs6.n * sizeof(*b.bs6.r),
					    &b.huge[S_BSEARCH]);
		if (want[S_LPM] && family == 4) {
			struct rte_lpm *c = huge_copy(b.lpm, sizeof(*b.lpm),
						      &b.huge[S_LPM]);

			c->tbl8 = huge_copy(b.lpm->tbl8, (size_t)b.tbl8s * 256 * 4,
					    &b.huge[S_LPM]);
			b.lpm = c;
		}
		if (want[S_LPM] && family == 6)
			die("--thp: IPv4 only (rte_lpm6 is opaque)");
		/* The same answers from the copies. */
		for (i = 0; i < nq; i += 7)
			for (k = 1; k < 3; k++)
				if (want[order[k]] &&
				    answer(&b, order[k], i) != answer(&b, S_OURS, i))
					die("--thp: copies disagree at query %u", i);
		snprintf(label, sizeof(label), "%s/2M", dist);
		passes(&b);
		report(&b, label, nr, chunks, maxrun, meanrun);
	}
	fflush(stdout);
	for (s = 0; s < S_NULL; s++)
		if (want[s] && !thp)
			free_struct(&b, s);
	if (eal_up)
		rte_eal_cleanup();
	return 0;
}
