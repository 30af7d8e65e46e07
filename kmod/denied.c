// SPDX-License-Identifier: GPL-2.0
/*
 * Who is knocking: a fixed-size table of the sources refused recently
 * (or, in monitor mode, that would have been), with a count and first and
 * last seen times. When full, the least recently seen source makes room.
 * Hash chains and an LRU list run through a static array of slots, so an
 * update is O(1) and never allocates. Only the refusing path writes here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/spinlock.h>
#include <linux/ktime.h>

#include "mxlock.h"

#define MXLOCK_DENIED_BUCKETS	1024	/* power of two */
#define MXLOCK_DENIED_NONE	0xffff
/* One log line per source at most this often (and net_ratelimit()). */
#define MXLOCK_DENIED_LOG_EVERY	(60 * HZ)

struct mxlock_denied_slot {
	struct mxlock_key addr;
	u64 count;
	time64_t first;
	time64_t last;
	unsigned long logged;		/* jiffies of the last log line */
	u16 hnext;			/* hash chain */
	u16 prev, next;			/* LRU list, most recent first */
	bool v6;
};

struct mxlock_denied {
	spinlock_t lock;		/* guards all below but seed */
	u32 seed;
	u16 used;			/* slots handed out so far */
	u16 head, tail;			/* LRU ends */
	u16 bucket[MXLOCK_DENIED_BUCKETS];
	struct mxlock_denied_slot slot[MXLOCK_DENIED_MAX];
};

static void mxlock_denied_reset(struct mxlock_denied *d)
{
	d->used = 0;
	d->head = MXLOCK_DENIED_NONE;
	d->tail = MXLOCK_DENIED_NONE;
	memset(d->bucket, 0xff, sizeof(d->bucket));
}

struct mxlock_denied *mxlock_denied_alloc(void)
{
	struct mxlock_denied *d = kvzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);

	if (!d)
		return NULL;
	spin_lock_init(&d->lock);
	d->seed = get_random_u32();
	mxlock_denied_reset(d);
	return d;
}

void mxlock_denied_free(struct mxlock_denied *d)
{
	kvfree(d);
}

static u32 mxlock_denied_hash(const struct mxlock_denied *d,
			      const struct mxlock_key *k, bool v6)
{
	u32 w[4] = { k->hi >> 32, (u32)k->hi, k->lo >> 32, (u32)k->lo };

	return jhash2(w, ARRAY_SIZE(w), d->seed ^ v6) &
	       (MXLOCK_DENIED_BUCKETS - 1);
}

static void mxlock_lru_unlink(struct mxlock_denied *d, u16 i)
{
	struct mxlock_denied_slot *s = &d->slot[i];

	if (s->prev != MXLOCK_DENIED_NONE)
		d->slot[s->prev].next = s->next;
	else
		d->head = s->next;
	if (s->next != MXLOCK_DENIED_NONE)
		d->slot[s->next].prev = s->prev;
	else
		d->tail = s->prev;
}

static void mxlock_lru_push(struct mxlock_denied *d, u16 i)
{
	struct mxlock_denied_slot *s = &d->slot[i];

	s->prev = MXLOCK_DENIED_NONE;
	s->next = d->head;
	if (d->head != MXLOCK_DENIED_NONE)
		d->slot[d->head].prev = i;
	else
		d->tail = i;
	d->head = i;
}

static void mxlock_hash_unlink(struct mxlock_denied *d, u16 i)
{
	struct mxlock_denied_slot *s = &d->slot[i];
	u16 *p = &d->bucket[mxlock_denied_hash(d, &s->addr, s->v6)];

	while (*p != i)
		p = &d->slot[*p].hnext;
	*p = s->hnext;
}

/* Called from the hook, in softirq context, for each refused SYN. */
void mxlock_denied_record(struct mxlock_denied *d, const struct mxlock_key *k,
			  bool v6, bool log, u16 port)
{
	u32 h = mxlock_denied_hash(d, k, v6);
	time64_t now = ktime_get_real_seconds();
	struct mxlock_denied_slot *s;
	bool say = false;
	u16 i;

	spin_lock(&d->lock);
	for (i = d->bucket[h]; i != MXLOCK_DENIED_NONE; i = d->slot[i].hnext) {
		s = &d->slot[i];
		if (s->v6 == v6 && !mxlock_key_cmp(&s->addr, k))
			break;
	}
	if (i != MXLOCK_DENIED_NONE) {
		mxlock_lru_unlink(d, i);
		s->count++;
		s->last = now;
		say = log && time_after(jiffies, s->logged + MXLOCK_DENIED_LOG_EVERY);
	} else {
		if (d->used < MXLOCK_DENIED_MAX) {
			i = d->used++;
		} else {
			i = d->tail;
			mxlock_lru_unlink(d, i);
			mxlock_hash_unlink(d, i);
		}
		s = &d->slot[i];
		s->addr = *k;
		s->v6 = v6;
		s->count = 1;
		s->first = now;
		s->last = now;
		s->hnext = d->bucket[h];
		d->bucket[h] = i;
		say = log;
	}
	mxlock_lru_push(d, i);
	if (say)
		s->logged = jiffies;
	spin_unlock(&d->lock);

	if (!say || !net_ratelimit())
		return;
	if (v6) {
		struct in6_addr a;

		mxlock_key_to_in6(k, &a);
		pr_info("refused SYN from %pI6c to port %u\n", &a, port);
	} else {
		pr_info("refused SYN from %pI4 to port %u\n",
			&(__be32){ htonl((u32)k->lo) }, port);
	}
}

void mxlock_denied_flush(struct mxlock_denied *d)
{
	spin_lock_bh(&d->lock);
	mxlock_denied_reset(d);
	spin_unlock_bh(&d->lock);
}

/* Copy the table out, most recently seen first; the caller kvfree()s it. */
int mxlock_denied_snapshot(struct mxlock_denied *d,
			   struct mxlock_denied_source **out)
{
	struct mxlock_denied_source *src;
	int n = 0;
	u16 i;

	*out = NULL;
	if (!d)
		return 0;
	src = kvmalloc_array(MXLOCK_DENIED_MAX, sizeof(*src), GFP_KERNEL);
	if (!src)
		return -ENOMEM;
	spin_lock_bh(&d->lock);
	for (i = d->head; i != MXLOCK_DENIED_NONE; i = d->slot[i].next) {
		const struct mxlock_denied_slot *s = &d->slot[i];

		src[n].addr = s->addr;
		src[n].v6 = s->v6;
		src[n].count = s->count;
		src[n].first = s->first;
		src[n].last = s->last;
		n++;
	}
	spin_unlock_bh(&d->lock);
	*out = src;
	return n;
}
