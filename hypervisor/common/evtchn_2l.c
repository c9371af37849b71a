/*
 * Two-level event delivery (see lamina/evtchn_2l.h). Port p is bit p % 64
 * of word p / 64 in shared_info's evtchn_pending and evtchn_mask; bit
 * p / 64 of a vCPU's evtchn_pending_sel says that word has news, and
 * evtchn_upcall_pending says the selector has. Semantics as Xen's
 * common/event_2l.c.
 */
#include <lamina/evtchn_2l.h>

#define BITS_PER_WORD (sizeof(xen_ulong_t) * 8)

/* Atomically set bit of *word; true if it was already set (lock bts). */
static bool test_and_set(xen_ulong_t *word, unsigned int bit)
{
	xen_ulong_t m = (xen_ulong_t)1 << bit;

	return __atomic_fetch_or(word, m, __ATOMIC_SEQ_CST) & m;
}

/* Atomically clear bit of *word; true if it was set (lock btr). */
static bool test_and_clear(xen_ulong_t *word, unsigned int bit)
{
	xen_ulong_t m = (xen_ulong_t)1 << bit;

	return __atomic_fetch_and(word, ~m, __ATOMIC_SEQ_CST) & m;
}

/* Read bit of *word once. */
static bool test_bit(const xen_ulong_t *word, unsigned int bit)
{
	return (__atomic_load_n(word, __ATOMIC_SEQ_CST) >> bit) & 1;
}

/*
 * Port's word has news for vi: set its selector bit and, if that bit was
 * clear, the upcall flag. True if the upcall flag went 0 -> 1.
 */
static bool select_word(struct vcpu_info *vi, unsigned int port)
{
	if (test_and_set(&vi->evtchn_pending_sel, port / BITS_PER_WORD))
		return false;
	return __atomic_exchange_n(&vi->evtchn_upcall_pending, 1,
				   __ATOMIC_SEQ_CST) == 0;
}

enum evtchn_2l_raise evtchn_2l_set_pending(struct shared_info *si,
					   struct vcpu_info *vi,
					   unsigned int port)
{
	unsigned int w = port / BITS_PER_WORD, b = port % BITS_PER_WORD;

	if (test_and_set(&si->evtchn_pending[w], b))
		return EVTCHN_2L_ALREADY_PENDING;
	if (!test_bit(&si->evtchn_mask[w], b) && select_word(vi, port))
		return EVTCHN_2L_UPCALL;
	return EVTCHN_2L_PENDING;
}

/* Only a clear of a set mask bit re-raises, as in Xen. */
bool evtchn_2l_unmask(struct shared_info *si, struct vcpu_info *vi,
		      unsigned int port)
{
	unsigned int w = port / BITS_PER_WORD, b = port % BITS_PER_WORD;

	return test_and_clear(&si->evtchn_mask[w], b) &&
	       test_bit(&si->evtchn_pending[w], b) &&
	       select_word(vi, port);
}

void evtchn_2l_clear_pending(struct shared_info *si, unsigned int port)
{
	test_and_clear(&si->evtchn_pending[port / BITS_PER_WORD],
		       port % BITS_PER_WORD);
}

bool evtchn_2l_is_pending(const struct shared_info *si, unsigned int port)
{
	return test_bit(&si->evtchn_pending[port / BITS_PER_WORD],
			port % BITS_PER_WORD);
}

bool evtchn_2l_is_masked(const struct shared_info *si, unsigned int port)
{
	return test_bit(&si->evtchn_mask[port / BITS_PER_WORD],
			port % BITS_PER_WORD);
}
