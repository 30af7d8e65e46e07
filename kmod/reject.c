// SPDX-License-Identifier: GPL-2.0
/*
 * action reject's RST senders, nf_send_reset() and nf_send_reset6(), live
 * in nf_reject_ipv4 and nf_reject_ipv6. Calling them directly would make
 * plain insmod fail ("Unknown symbol") wherever those modules are not
 * loaded yet, for a feature most hosts never turn on. Instead they are
 * loaded and looked up when a namespace first chooses reject, and held
 * until this module goes. The settings that say reject carry the pointers,
 * so a packet that sees such settings sees the senders too.
 */
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>

#include "mxlock.h"

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

void mxlock_reject(const struct mxlock_conf *conf, struct sk_buff *skb,
		   const struct nf_hook_state *state, bool v6)
{
	mxlock_send_reset_t *send = v6 ? conf->send_reset6 : conf->send_reset4;

	if (send)
		send(state->net, NULL, skb, state->hook);
}
