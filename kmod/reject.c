// SPDX-License-Identifier: GPL-2.0
/*
 * action reject's RST senders, nf_send_reset() and nf_send_reset6(), live
 * in nf_reject_ipv4 and nf_reject_ipv6. Calling them directly would make
 * plain insmod fail ("Unknown symbol") wherever those modules are not
 * loaded yet, for a feature most hosts never turn on. Instead they are
 * loaded and looked up when a namespace first chooses reject, and held
 * until this module goes. The settings that say reject carry the pointers,
 * so a packet that sees such settings sees the senders too.
 *
 * The RSTs go to whatever source a refused SYN claims, and such sources
 * are trivially spoofed: each namespace answers at most reject_rate
 * refusals per second (a burst of that many in any one-second window).
 * Past it the SYN is still dropped, silently, and counted as rst_limited.
 * A misconfigured sender retries within seconds and then gets its RST.
 */
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>

#include "mxlock.h"

static unsigned int reject_rate = 100;
module_param(reject_rate, uint, 0444);
MODULE_PARM_DESC(reject_rate,
		 "RSTs per second a namespace sends for action reject (default 100; 0: no limit)");

static DEFINE_MUTEX(mxlock_reject_lock);
static mxlock_send_reset_t *mxlock_reset4;
static mxlock_send_reset_t *mxlock_reset6;

/*
 * Called with no lock held: modprobe runs outside every mutex (the lock
 * below only orders the lookups), so one namespace's slow modprobe never
 * holds up another's requests.
 */
int mxlock_reject_get(struct mxlock_conf *conf, struct netlink_ext_ack *extack)
{
	int err = 0;

	if (!READ_ONCE(mxlock_reset4))
		request_module("nf_reject_ipv4");
	if (!READ_ONCE(mxlock_reset6))
		request_module("nf_reject_ipv6");
	mutex_lock(&mxlock_reject_lock);
	if (!mxlock_reset4)
		WRITE_ONCE(mxlock_reset4, symbol_get(nf_send_reset));
	if (!mxlock_reset6)
		WRITE_ONCE(mxlock_reset6, symbol_get(nf_send_reset6));
	if (mxlock_reset4 && mxlock_reset6) {
		conf->send_reset4 = mxlock_reset4;
		conf->send_reset6 = mxlock_reset6;
	} else {
		NL_SET_ERR_MSG(extack,
			       "action reject needs the kernel's nf_reject_ipv4 and nf_reject_ipv6 modules");
		err = -EOPNOTSUPP;
	}
	mutex_unlock(&mxlock_reject_lock);
	return err;
}

/* Module exit: no hook and no settings are left to use them. */
void mxlock_reject_put(void)
{
	if (mxlock_reset4)
		symbol_put(nf_send_reset);
	if (mxlock_reset6)
		symbol_put(nf_send_reset6);
}

void mxlock_reject_net_init(struct mxlock_net *pn)
{
	int burst = min_t(unsigned int, reject_rate, INT_MAX);

	ratelimit_state_init(&pn->rst_rs, HZ, burst);
	/* A limiter, not a log: it must never print "callbacks suppressed". */
	ratelimit_set_flags(&pn->rst_rs, RATELIMIT_MSG_ON_RELEASE);
}

/*
 * May this refusal be answered? Called from the hook with BHs off. A
 * limiter busy on another CPU counts as "no": fewer RSTs, never more.
 */
bool mxlock_reject_allowed(struct mxlock_net *pn)
{
	return !reject_rate || __ratelimit(&pn->rst_rs);
}

void mxlock_reject(const struct mxlock_conf *conf, struct sk_buff *skb,
		   const struct nf_hook_state *state, bool v6)
{
	mxlock_send_reset_t *send = v6 ? conf->send_reset6 : conf->send_reset4;

	if (send)
		send(state->net, NULL, skb, state->hook);
}
