/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU counters, one per verdict for SYNs and for cookie ACKs (an ACK
 * with no connection behind it, judged like a SYN), and the refusals that
 * action reject left unanswered because the namespace's RST rate limit was
 * reached: the packet path writes only its own CPU's cache line, and
 * readers sum them.
 */
#ifndef _MXLOCK_STATS_H
#define _MXLOCK_STATS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <linux/mxlock.h>

struct mxlock_pcpu_stats {
	u64_stats_t syn[__MXLOCK_VERDICT_MAX];	/* indexed by verdict */
	u64_stats_t ack[__MXLOCK_VERDICT_MAX];	/* likewise */
	u64_stats_t rst_limited;
	struct u64_stats_sync syncp;
};

struct mxlock_stats {
	u64 syn[__MXLOCK_VERDICT_MAX];
	u64 ack[__MXLOCK_VERDICT_MAX];
	u64 rst_limited;
};

/* Called from the hook with BHs disabled: one writer per CPU. */
static inline void mxlock_stats_count(struct mxlock_pcpu_stats __percpu *st,
				      bool ack, enum mxlock_verdict v)
{
	struct mxlock_pcpu_stats *s = this_cpu_ptr(st);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(ack ? &s->ack[v] : &s->syn[v]);
	u64_stats_update_end(&s->syncp);
}

/* Likewise: an RST the rate limit kept back. */
static inline void mxlock_stats_rst_limited(struct mxlock_pcpu_stats __percpu *st)
{
	struct mxlock_pcpu_stats *s = this_cpu_ptr(st);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->rst_limited);
	u64_stats_update_end(&s->syncp);
}

static inline void mxlock_stats_sum(struct mxlock_pcpu_stats __percpu *st,
				    struct mxlock_stats *sum)
{
	int cpu, v;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct mxlock_pcpu_stats *s = per_cpu_ptr(st, cpu);
		u64 syn[__MXLOCK_VERDICT_MAX], ack[__MXLOCK_VERDICT_MAX];
		unsigned int start;
		u64 rst;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (v = 0; v < __MXLOCK_VERDICT_MAX; v++) {
				syn[v] = u64_stats_read(&s->syn[v]);
				ack[v] = u64_stats_read(&s->ack[v]);
			}
			rst = u64_stats_read(&s->rst_limited);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (v = 0; v < __MXLOCK_VERDICT_MAX; v++) {
			sum->syn[v] += syn[v];
			sum->ack[v] += ack[v];
		}
		sum->rst_limited += rst;
	}
}

static inline u64 mxlock_stats_seen(const struct mxlock_stats *sum)
{
	u64 seen = 0;
	int v;

	for (v = 0; v < __MXLOCK_VERDICT_MAX; v++)
		seen += sum->syn[v];
	return seen;
}

#endif /* _MXLOCK_STATS_H */
