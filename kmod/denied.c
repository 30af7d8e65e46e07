// SPDX-License-Identifier: GPL-2.0
/*
 * Who is knocking: the sources refused recently (or, in monitor mode, that
 * would have been), with a count and first and last seen times.
 *
 * The refusing path writes only its own CPU's memory, with no lock and no
 * atomic operation: each CPU keeps its own fixed-size table, in which hash
 * chains and an LRU list run through a static array of slots, so an update
 * is O(1) and never allocates; when full, the CPU's least recently seen
 * source makes room. Readers merge the CPUs' tables into one row per
 * source (mxlock_denied_snapshot()).
 *
 * A CPU's table has one writer: the hook, which runs with BHs disabled and
 * cannot nest on its CPU. Readers run elsewhere, so each slot carries a
 * seqcount: per slot, not per table, so that a reader retries one slot
 * (the writer holds it for a few stores, never preempted) instead of a
 * whole table that a flood rewrites faster than it can be copied.
 *
 * Flushing must not write another CPU's table while that CPU may write it.
 * A flush only bumps the namespace's epoch: each slot records the epoch it
 * was written in, readers ignore slots of another epoch, and a writer that
 * finds its table behind empties it before its next update.
 *
 * The log is rate limited per namespace, and each line names the namespace
 * (its inode number, as `readlink /proc/PID/ns/net` shows it): a namespace's
 * lines cannot crowd out another's, nor use up the host's shared
 * net_ratelimit() budget. Namespaces owned by a user namespace other than
 * the initial one also share one more limit among themselves, so that
 * creating many namespaces does not multiply what their owners may log.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jhash.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/ratelimit.h>
#include <linux/seqlock.h>
#include <linux/sort.h>
#include <linux/user_namespace.h>

#include "mxlock.h"

#define MXLOCK_DENIED_NONE	0xffff
/* One log line per source and CPU at most this often. */
#define MXLOCK_DENIED_LOG_EVERY	(60 * HZ)
/* And per namespace at most a burst of this many lines per interval. */
#define MXLOCK_LOG_INTERVAL	(5 * HZ)
#define MXLOCK_LOG_BURST	10

/* What namespaces not owned by the initial user namespace log together. */
static DEFINE_RATELIMIT_STATE(mxlock_userns_log, MXLOCK_LOG_INTERVAL,
			      MXLOCK_LOG_BURST);

struct mxlock_denied_slot {
	seqcount_t seq;			/* guards what readers copy */
	u16 hnext;			/* hash chain */
	u16 prev, next;			/* LRU list, most recent first */
	bool v6;
	unsigned long epoch;		/* flush epoch it was written in */
	struct mxlock_key addr;
	u64 count;
	u64 tick;			/* jiffies64 of the last SYN */
	u64 upd;			/* the CPU's update number at it */
	time64_t first;
	time64_t last;
	unsigned long logged;		/* jiffies of the last log line */
};

/* One CPU's table: written by that CPU only, slots read by anyone. */
struct mxlock_denied_cpu {
	unsigned long epoch;		/* of the chains and the LRU list */
	u64 upd;			/* updates so far, to order them */
	u16 used;			/* slots handed out so far */
	u16 head, tail;			/* LRU ends */
	u16 *bucket;			/* nslots chains, after slot[] */
	struct mxlock_denied_slot slot[];
};

struct mxlock_denied {
	unsigned long epoch;		/* bumped by each flush; never 0 */
	u32 seed;
	u16 nslots;			/* per CPU, a power of two */
	struct mxlock_denied_cpu * __percpu *cpu;
	unsigned int inum;		/* the namespace's, for the log */
	bool userns;			/* owned by a non-initial user ns */
	struct ratelimit_state log_rs;	/* the namespace's log lines */
};

/*
 * Slots per CPU. Memory is per namespace and per possible CPU, so it is
 * bounded as a whole: 2 * MXLOCK_DENIED_MAX slots shared out, enough for
 * the merged view to still show MXLOCK_DENIED_MAX sources when they spread
 * unevenly over the CPUs (a source's SYNs mostly stay on one CPU, so the
 * tables share out the sources rather than repeat them). At least 64, so
 * that a CPU of a large machine still keeps a useful table (memory then
 * grows by 64 slots, about 6 KiB, per CPU); at most MXLOCK_DENIED_MAX,
 * which is all the merged view shows. A power of two for the hash.
 */
static unsigned int mxlock_denied_slots(void)
{
	unsigned int n = 2 * MXLOCK_DENIED_MAX / num_possible_cpus();

	return rounddown_pow_of_two(clamp_t(unsigned int, n, 64,
					    MXLOCK_DENIED_MAX));
}

static void mxlock_denied_free_tables(struct mxlock_denied *d)
{
	int cpu;

	for_each_possible_cpu(cpu)
		kvfree(*per_cpu_ptr(d->cpu, cpu));
	free_percpu(d->cpu);
}

struct mxlock_denied *mxlock_denied_alloc(const struct net *net)
{
	unsigned int n = mxlock_denied_slots(), i;
	struct mxlock_denied_cpu *t;
	struct mxlock_denied *d;
	size_t size;
	int cpu;

	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return NULL;
	d->cpu = alloc_percpu_gfp(struct mxlock_denied_cpu *,
				  GFP_KERNEL_ACCOUNT);
	if (!d->cpu)
		goto err_free_d;
	d->seed = get_random_u32();
	d->nslots = n;
	d->inum = net->ns.inum;
	d->userns = net->user_ns != &init_user_ns;
	ratelimit_state_init(&d->log_rs, MXLOCK_LOG_INTERVAL, MXLOCK_LOG_BURST);
	/* Not "N callbacks suppressed": that line would name no namespace. */
	ratelimit_set_flags(&d->log_rs, RATELIMIT_MSG_ON_RELEASE);
	/* Epoch 0 is no flush's: unused slots and new tables are stale. */
	d->epoch = 1;
	size = struct_size(t, slot, n) + n * sizeof(u16);
	for_each_possible_cpu(cpu) {
		t = kvzalloc_node(size, GFP_KERNEL_ACCOUNT, cpu_to_node(cpu));
		if (!t)
			goto err_free_tables;
		t->bucket = (u16 *)&t->slot[n];
		for (i = 0; i < n; i++)
			seqcount_init(&t->slot[i].seq);
		*per_cpu_ptr(d->cpu, cpu) = t;
	}
	return d;

err_free_tables:
	mxlock_denied_free_tables(d);
err_free_d:
	kfree(d);
	return NULL;
}

void mxlock_denied_free(struct mxlock_denied *d)
{
	if (!d)
		return;
	mxlock_denied_free_tables(d);
	kfree(d);
}

static u32 mxlock_denied_hash(const struct mxlock_denied *d,
			      const struct mxlock_key *k, bool v6)
{
	u32 w[4] = { k->hi >> 32, (u32)k->hi, k->lo >> 32, (u32)k->lo };

	return jhash2(w, ARRAY_SIZE(w), d->seed ^ v6) & (d->nslots - 1);
}

/* Empty t for epoch. Slots keep their data and seqcounts: readers skip them. */
static void mxlock_denied_reset(struct mxlock_denied_cpu *t, u16 nslots,
				unsigned long epoch)
{
	t->used = 0;
	t->head = MXLOCK_DENIED_NONE;
	t->tail = MXLOCK_DENIED_NONE;
	memset(t->bucket, 0xff, nslots * sizeof(*t->bucket));
	t->epoch = epoch;
}

static void mxlock_lru_unlink(struct mxlock_denied_cpu *t, u16 i)
{
	struct mxlock_denied_slot *s = &t->slot[i];

	if (s->prev != MXLOCK_DENIED_NONE)
		t->slot[s->prev].next = s->next;
	else
		t->head = s->next;
	if (s->next != MXLOCK_DENIED_NONE)
		t->slot[s->next].prev = s->prev;
	else
		t->tail = s->prev;
}

static void mxlock_lru_push(struct mxlock_denied_cpu *t, u16 i)
{
	struct mxlock_denied_slot *s = &t->slot[i];

	s->prev = MXLOCK_DENIED_NONE;
	s->next = t->head;
	if (t->head != MXLOCK_DENIED_NONE)
		t->slot[t->head].prev = i;
	else
		t->tail = i;
	t->head = i;
}

static void mxlock_hash_unlink(const struct mxlock_denied *d,
			       struct mxlock_denied_cpu *t, u16 i)
{
	struct mxlock_denied_slot *s = &t->slot[i];
	u16 *p = &t->bucket[mxlock_denied_hash(d, &s->addr, s->v6)];

	while (*p != i)
		p = &t->slot[*p].hnext;
	*p = s->hnext;
}

/*
 * Called from the hook, with BHs disabled, for each refused SYN or cookie
 * ACK: the only writer of this CPU's table.
 */
void mxlock_denied_record(struct mxlock_denied *d, const struct mxlock_key *k,
			  bool v6, bool ack, bool log, u16 port)
{
	struct mxlock_denied_cpu *t = this_cpu_read(*d->cpu);
	/* Pairs with the WRITE_ONCE() in mxlock_denied_flush(). */
	unsigned long epoch = READ_ONCE(d->epoch);
	u32 h = mxlock_denied_hash(d, k, v6);
	time64_t now = ktime_get_real_seconds();
	/*
	 * Readers order the CPUs' sources by (tick, upd): seconds are too
	 * coarse, jiffies order sources seen on different CPUs well enough
	 * and, unlike a clock, cost a load.
	 */
	u64 tick = get_jiffies_64();
	u64 upd = ++t->upd;
	struct mxlock_denied_slot *s;
	bool say;
	u16 i;

	if (unlikely(t->epoch != epoch))
		mxlock_denied_reset(t, d->nslots, epoch);
	for (i = t->bucket[h]; i != MXLOCK_DENIED_NONE; i = t->slot[i].hnext) {
		s = &t->slot[i];
		if (s->v6 == v6 && !mxlock_key_cmp(&s->addr, k))
			break;
	}
	if (i != MXLOCK_DENIED_NONE) {
		mxlock_lru_unlink(t, i);
		write_seqcount_begin(&s->seq);
		s->count++;
		s->last = now;
		s->tick = tick;
		s->upd = upd;
		write_seqcount_end(&s->seq);
		say = log && time_after(jiffies, s->logged + MXLOCK_DENIED_LOG_EVERY);
	} else {
		if (t->used < d->nslots) {
			i = t->used++;
		} else {
			i = t->tail;
			mxlock_lru_unlink(t, i);
			mxlock_hash_unlink(d, t, i);
		}
		s = &t->slot[i];
		write_seqcount_begin(&s->seq);
		s->epoch = epoch;
		s->addr = *k;
		s->v6 = v6;
		s->count = 1;
		s->first = now;
		s->last = now;
		s->tick = tick;
		s->upd = upd;
		write_seqcount_end(&s->seq);
		s->hnext = t->bucket[h];
		t->bucket[h] = i;
		say = log;
	}
	mxlock_lru_push(t, i);
	if (say)
		s->logged = jiffies;

	if (!say || !__ratelimit(&d->log_rs) ||
	    (d->userns && !__ratelimit(&mxlock_userns_log)))
		return;
	if (v6) {
		struct in6_addr a;

		mxlock_key_to_in6(k, &a);
		pr_info("netns %u: refused %s from %pI6c to port %u\n",
			d->inum, ack ? "ACK" : "SYN", &a, port);
	} else {
		pr_info("netns %u: refused %s from %pI4 to port %u\n",
			d->inum, ack ? "ACK" : "SYN",
			&(__be32){ htonl((u32)k->lo) }, port);
	}
}

/*
 * Process context; callers serialise (pn->lock). Writes no CPU's table:
 * each writer empties its own at its next update, and until then readers
 * skip its slots.
 */
void mxlock_denied_flush(struct mxlock_denied *d)
{
	unsigned long epoch = d->epoch + 1;

	WRITE_ONCE(d->epoch, epoch ?: 1);
}

/* Copy slot s into *out if it holds a source of epoch. */
static bool mxlock_denied_read(const struct mxlock_denied_slot *s,
			       unsigned long epoch,
			       struct mxlock_denied_source *out)
{
	unsigned int seq;
	bool ok;

	do {
		seq = read_seqcount_begin(&s->seq);
		ok = s->epoch == epoch;
		out->addr = s->addr;
		out->v6 = s->v6;
		out->count = s->count;
		out->first = s->first;
		out->last = s->last;
		out->tick = s->tick;
		out->upd = s->upd;
	} while (read_seqcount_retry(&s->seq, seq));
	return ok;
}

static int mxlock_denied_cmp_addr(const void *a, const void *b)
{
	const struct mxlock_denied_source *x = a, *y = b;

	if (x->v6 != y->v6)
		return x->v6 ? 1 : -1;
	return mxlock_key_cmp(&x->addr, &y->addr);
}

/* Later last SYN: (tick, upd) is greater. */
static int mxlock_denied_cmp_last(const struct mxlock_denied_source *x,
				  const struct mxlock_denied_source *y)
{
	if (x->tick != y->tick)
		return x->tick > y->tick ? 1 : -1;
	if (x->upd != y->upd)
		return x->upd > y->upd ? 1 : -1;
	return 0;
}

/* Most recently seen first; the address breaks ties, for a stable order. */
static int mxlock_denied_cmp_seen(const void *a, const void *b)
{
	return -mxlock_denied_cmp_last(a, b) ?: mxlock_denied_cmp_addr(a, b);
}

/*
 * Merge the CPUs' tables into one row per source (counts summed, first
 * the earliest, last the latest), most recently seen first, at most
 * MXLOCK_DENIED_MAX rows. Process context; the caller kvfree()s *out.
 * Both the scratch copy of every CPU's table and *out (which a dump keeps
 * until it ends) are charged to the reader, and *out holds only the rows
 * returned: a reader that never finishes keeps MXLOCK_DENIED_MAX rows at
 * most, however many CPUs there are.
 */
int mxlock_denied_snapshot(struct mxlock_denied *d,
			   struct mxlock_denied_source **out)
{
	struct mxlock_denied_source *src;
	unsigned long epoch;
	int n = 0, m, i, cpu;
	unsigned int j;

	*out = NULL;
	if (!d)
		return 0;
	src = kvmalloc_array(num_possible_cpus() * d->nslots, sizeof(*src),
			     GFP_KERNEL_ACCOUNT);
	if (!src)
		return -ENOMEM;
	epoch = READ_ONCE(d->epoch);
	for_each_possible_cpu(cpu) {
		const struct mxlock_denied_cpu *t = *per_cpu_ptr(d->cpu, cpu);

		for (j = 0; j < d->nslots; j++)
			if (mxlock_denied_read(&t->slot[j], epoch, &src[n]))
				n++;
		cond_resched();
	}

	/* The same source seen on several CPUs becomes one row. */
	sort(src, n, sizeof(*src), mxlock_denied_cmp_addr, NULL);
	for (i = 0, m = 0; i < n; i++) {
		struct mxlock_denied_source *r = m ? &src[m - 1] : NULL;

		if (r && !mxlock_denied_cmp_addr(r, &src[i])) {
			r->count += src[i].count;
			r->first = min(r->first, src[i].first);
			r->last = max(r->last, src[i].last);
			if (mxlock_denied_cmp_last(&src[i], r) > 0) {
				r->tick = src[i].tick;
				r->upd = src[i].upd;
			}
		} else {
			src[m++] = src[i];
		}
	}
	sort(src, m, sizeof(*src), mxlock_denied_cmp_seen, NULL);
	m = min(m, MXLOCK_DENIED_MAX);
	if (!m) {
		kvfree(src);
		return 0;
	}
	*out = kvmalloc_array(m, sizeof(*src), GFP_KERNEL_ACCOUNT);
	if (*out)
		memcpy(*out, src, m * sizeof(*src));
	kvfree(src);
	return *out ? m : -ENOMEM;
}
