// SPDX-License-Identifier: GPL-2.0
/*
 * ccshared_coco_mem: a model of a confidential guest's memory, for stock
 * kernels without SEV or TDX.  Test only.
 *
 * In an SEV-SNP or TDX guest every page is private until
 * set_memory_decrypted() shares it with the host, and set_memory_encrypted()
 * makes it private again.  Each conversion changes what the guest then
 * reads in the page (ciphertext, or whatever the host left there), and
 * each can fail, leaving the page in a state the guest cannot know.  On an
 * ordinary VM both calls do nothing, so three mistakes that matter on real
 * hardware stay invisible:
 *
 *  1. converting to private a page that is not shared: SEV-SNP validates
 *     the page a second time, and the guest terminates itself;
 *  2. freeing a shared page, or one whose conversion failed, to the page
 *     allocator: its next owner believes it private, and the host can read
 *     and write it;
 *  3. converting to shared a page that is already shared.
 *
 * Kretprobes on both functions (out of line and exported on x86) track the
 * state of every page: private (the default), shared, or unknown after a
 * failed conversion.  After each successful conversion the pages are
 * overwritten with a poison pattern, as a real guest would see them, so a
 * caller that zeroes before sharing hands out poison.  The page allocator's
 * free tracepoints catch rule 2 on every free path: mm_page_free fires in
 * __free_pages_prepare(), which every path to the free lists goes through,
 * and mm_page_free_batched is watched as well.  Violations are counted by
 * kind; the first ones are logged with the stack of the caller.
 * Conversions can be made to fail without the caller's help, optionally
 * only those of one module.
 *
 * Callers are named by module ("vmlinux" for the kernel itself), from the
 * return address of the call, so each heap's conversions can be told
 * apart.
 *
 * /sys/kernel/debug/ccshared_coco_mem/
 *   pages          pages by state (private is every other page)
 *   stats          conversions and pages, failures, injected failures,
 *                  poisoned pages, untracked calls, kretprobe misses
 *   callers        one line per caller: its conversions and pages, failed
 *                  conversions, the pages it has shared or left unknown
 *                  now, and the violations it caused
 *   violations     the count of each kind
 *   log            the first log_first violations, with their stacks
 *   reset          any write: zero the counters, violations and log (the
 *                  state of each page stays)
 *   fail_to_shared, fail_to_private
 *                  N > 0: the Nth following conversion of that kind fails
 *   fail_errno     the errno it fails with (default EIO)
 *   fail_caller    only calls from this module count down (empty: all)
 *
 * What it does not model: the host, the hypervisor's own view of a page,
 * and the DMA layer's decisions (ccshared_coco_emul models those).
 */

#include <linux/cc_platform.h>
#include <linux/debugfs.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

static int poison = 0xa5;
module_param(poison, int, 0644);
MODULE_PARM_DESC(poison,
		 "Byte written over pages after each successful conversion (0-255, default 0xa5; -1: leave them alone)");

#define CMEM_LOG_MAX 16
static uint log_first = 8;
module_param(log_first, uint, 0644);
MODULE_PARM_DESC(log_first, "How many violations to log with their stacks (at most 16, default 8)");

/* One byte per page frame: the state, and who made it so. */
enum cmem_state { CMEM_PRIVATE, CMEM_SHARED, CMEM_UNKNOWN };
#define CMEM_STATE_MASK		3
#define CMEM_OWNER_SHIFT		2
#define CMEM_MAX_CALLERS		63	/* owner 0 means none */

enum cmem_dir { CMEM_TO_SHARED, CMEM_TO_PRIVATE, CMEM_NR_DIRS };

enum cmem_rule {
	CMEM_TO_PRIVATE_NOT_SHARED,
	CMEM_FREED_NOT_PRIVATE,
	CMEM_TO_SHARED_ALREADY_SHARED,
	CMEM_NR_RULES
};

static const char * const cmem_rule_names[CMEM_NR_RULES] = {
	"to_private_not_shared",
	"freed_not_private",
	"to_shared_already_shared",
};

static const char * const cmem_state_names[] = { "private", "shared", "unknown" };

struct cmem_caller {
	char name[MODULE_NAME_LEN];
	unsigned long calls[CMEM_NR_DIRS];
	unsigned long pages[CMEM_NR_DIRS];
	unsigned long failed[CMEM_NR_DIRS];
	long shared;		/* pages it shared that are shared now */
	long unknown;		/* pages it left unknown */
	unsigned long violations[CMEM_NR_RULES];
};

#define CMEM_STACK_DEPTH 16

struct cmem_record {
	enum cmem_rule rule;
	char caller[MODULE_NAME_LEN];
	unsigned long pfn;
	unsigned long nr_pages;		/* pages of the call that broke the rule */
	enum cmem_state state;		/* of the first such page */
	unsigned int nr_entries;
	unsigned long entries[CMEM_STACK_DEPTH];
};

struct cmem_stats {
	unsigned long calls[CMEM_NR_DIRS];
	unsigned long pages[CMEM_NR_DIRS];
	unsigned long failed[CMEM_NR_DIRS];
	unsigned long injected[CMEM_NR_DIRS];
	unsigned long untracked;	/* calls on addresses without a page frame */
	unsigned long violations[CMEM_NR_RULES];
};

/*
 * cmem_lock (a raw spinlock: it is taken in kretprobe handlers and in the
 * page allocator's free path) protects everything below it.
 */
static DEFINE_RAW_SPINLOCK(cmem_lock);
static u8 *cmem_pages;
static unsigned long cmem_max_pfn;
static long cmem_shared, cmem_unknown;
static struct cmem_caller cmem_callers[CMEM_MAX_CALLERS];
static unsigned int cmem_nr_callers;
static struct cmem_stats cmem_stats;
static struct cmem_record cmem_log[CMEM_LOG_MAX];
static unsigned int cmem_log_len, cmem_log_printed;
static char cmem_fail_caller[MODULE_NAME_LEN];

/* Shared + unknown pages: the free path looks only when this is not 0. */
static atomic_long_t cmem_nonprivate;
static atomic_long_t cmem_poisoned_pages;
static atomic_t cmem_fail[CMEM_NR_DIRS];
static u32 cmem_fail_errno = EIO;

static struct dentry *cmem_debugfs;
static void cmem_log_work_fn(struct work_struct *work);
static DECLARE_WORK(cmem_log_work, cmem_log_work_fn);

/* ---- Callers --------------------------------------------------------------- */

/* The module that @addr belongs to, or "vmlinux". */
static void cmem_caller_name(unsigned long addr, char *name)
{
	char sym[KSYM_SYMBOL_LEN];
	char *open, *close;

	sprint_symbol(sym, addr);
	open = strrchr(sym, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!open || !close || close - open - 1 >= MODULE_NAME_LEN) {
		strscpy(name, "vmlinux", MODULE_NAME_LEN);
		return;
	}
	*close = '\0';
	strscpy(name, open + 1, MODULE_NAME_LEN);
}

/* Index of @name in cmem_callers, added if new; the last slot takes the rest. */
static unsigned int cmem_caller_index(const char *name)
{
	unsigned int i;

	lockdep_assert_held(&cmem_lock);
	for (i = 0; i < cmem_nr_callers; i++)
		if (!strcmp(cmem_callers[i].name, name))
			return i;
	if (cmem_nr_callers == CMEM_MAX_CALLERS)
		return CMEM_MAX_CALLERS - 1;
	i = cmem_nr_callers++;
	strscpy(cmem_callers[i].name,
		i == CMEM_MAX_CALLERS - 1 ? "(others)" : name, MODULE_NAME_LEN);
	return i;
}

/* ---- Page states ----------------------------------------------------------- */

static enum cmem_state cmem_state_of(u8 v)
{
	return v & CMEM_STATE_MASK;
}

static struct cmem_caller *cmem_owner_of(u8 v)
{
	unsigned int owner = v >> CMEM_OWNER_SHIFT;

	return owner ? &cmem_callers[owner - 1] : NULL;
}

/* Move @pfn to @state, owned by caller @idx; keep every count in step. */
static void cmem_set_state(unsigned long pfn, enum cmem_state state, unsigned int idx)
{
	u8 old = cmem_pages[pfn];
	struct cmem_caller *owner = cmem_owner_of(old);

	lockdep_assert_held(&cmem_lock);
	switch (cmem_state_of(old)) {
	case CMEM_SHARED:
		cmem_shared--;
		if (owner)
			owner->shared--;
		break;
	case CMEM_UNKNOWN:
		cmem_unknown--;
		if (owner)
			owner->unknown--;
		break;
	default:
		break;
	}

	switch (state) {
	case CMEM_SHARED:
		cmem_shared++;
		cmem_callers[idx].shared++;
		break;
	case CMEM_UNKNOWN:
		cmem_unknown++;
		cmem_callers[idx].unknown++;
		break;
	default:
		break;
	}
	cmem_pages[pfn] = state == CMEM_PRIVATE ? 0 :
			 state | (idx + 1) << CMEM_OWNER_SHIFT;
	atomic_long_set(&cmem_nonprivate, cmem_shared + cmem_unknown);
}

/* ---- Violations ------------------------------------------------------------ */

/*
 * Count a violation and keep the first ones.  The stack is saved here,
 * in whatever context broke the rule; the log is printed from a work item
 * (cmem_log_kick(), once cmem_lock is dropped).
 */
static void cmem_violation(enum cmem_rule rule, unsigned int idx, unsigned long pfn,
			   unsigned long nr_pages, enum cmem_state state,
			   unsigned long retaddr)
{
	struct cmem_record *r;
	unsigned int i, n;

	lockdep_assert_held(&cmem_lock);
	cmem_stats.violations[rule]++;
	cmem_callers[idx].violations[rule]++;
	if (cmem_log_len >= min_t(uint, READ_ONCE(log_first), CMEM_LOG_MAX))
		return;
	r = &cmem_log[cmem_log_len++];
	r->rule = rule;
	strscpy(r->caller, cmem_callers[idx].name, sizeof(r->caller));
	r->pfn = pfn;
	r->nr_pages = nr_pages;
	r->state = state;
	n = stack_trace_save(r->entries, CMEM_STACK_DEPTH, 0);
	/*
	 * Start at the caller: after the kretprobe's trampoline (at the
	 * caller's return address), or after this module's own frames.
	 */
	for (i = 0; i < n && !(retaddr && r->entries[i] == retaddr); i++)
		;
	if (i == n)
		for (i = 0; i < n && within_module(r->entries[i], THIS_MODULE); i++)
			;
	memmove(r->entries, r->entries + i, (n - i) * sizeof(r->entries[0]));
	r->nr_entries = n - i;
}

static void cmem_log_kick(void)
{
	if (READ_ONCE(cmem_log_printed) != READ_ONCE(cmem_log_len))
		schedule_work(&cmem_log_work);
}

static void cmem_print_record(const struct cmem_record *r)
{
	unsigned int i;

	pr_warn("ccshared_coco_mem: violation %s by %s: %lu page(s) from pfn %#lx, first one %s\n",
		cmem_rule_names[r->rule], r->caller, r->nr_pages, r->pfn,
		cmem_state_names[r->state]);
	for (i = 0; i < r->nr_entries; i++)
		pr_warn("ccshared_coco_mem:   %pS\n", (void *)r->entries[i]);
}

static void cmem_log_work_fn(struct work_struct *work)
{
	struct cmem_record r;
	unsigned long flags;

	for (;;) {
		raw_spin_lock_irqsave(&cmem_lock, flags);
		if (cmem_log_printed >= cmem_log_len) {
			raw_spin_unlock_irqrestore(&cmem_lock, flags);
			return;
		}
		r = cmem_log[cmem_log_printed++];
		raw_spin_unlock_irqrestore(&cmem_lock, flags);
		cmem_print_record(&r);
	}
}

/* ---- Conversions ----------------------------------------------------------- */

struct cmem_call {
	unsigned long addr;
	int numpages;
};

/* The page frame behind the @i-th page of a conversion, or ULONG_MAX. */
static unsigned long cmem_pfn(unsigned long addr, int i)
{
	unsigned long va = addr + ((unsigned long)i << PAGE_SHIFT);
	unsigned long pfn;

	struct page *page;

	if (virt_addr_valid((void *)va)) {
		pfn = PHYS_PFN(__pa(va));
	} else if (is_vmalloc_addr((void *)va)) {
		page = vmalloc_to_page((void *)va);
		if (!page)
			return ULONG_MAX;
		pfn = page_to_pfn(page);
	} else {
		return ULONG_MAX;
	}
	return pfn < cmem_max_pfn ? pfn : ULONG_MAX;
}

/* Should this call fail?  Counts down only for the chosen caller. */
static bool cmem_inject(enum cmem_dir dir, const char *caller)
{
	atomic_t *countdown = &cmem_fail[dir];
	int v = atomic_read(countdown);

	lockdep_assert_held(&cmem_lock);
	if (v <= 0 || (cmem_fail_caller[0] && strcmp(cmem_fail_caller, caller)))
		return false;
	while (v > 0) {
		if (atomic_try_cmpxchg(countdown, &v, v - 1))
			return v == 1;
	}
	return false;
}

/*
 * Check the rules for a conversion that returned @ret to @retaddr, then
 * record the pages' new states: the target state, or unknown if it failed.
 */
static void cmem_convert(const struct cmem_call *call, enum cmem_dir dir, int ret,
			 unsigned int idx, unsigned long retaddr)
{
	enum cmem_rule rule = dir == CMEM_TO_SHARED ? CMEM_TO_SHARED_ALREADY_SHARED :
						    CMEM_TO_PRIVATE_NOT_SHARED;
	enum cmem_state target = dir == CMEM_TO_SHARED ? CMEM_SHARED : CMEM_PRIVATE;
	unsigned long first_pfn = ULONG_MAX, bad_pfn = 0, nr_bad = 0;
	enum cmem_state bad_state = CMEM_PRIVATE;
	struct cmem_caller *c = &cmem_callers[idx];
	int i;

	lockdep_assert_held(&cmem_lock);
	for (i = 0; i < call->numpages; i++) {
		unsigned long pfn = cmem_pfn(call->addr, i);
		enum cmem_state state;
		bool broken;

		if (pfn == ULONG_MAX)
			continue;
		if (first_pfn == ULONG_MAX)
			first_pfn = pfn;
		state = cmem_state_of(cmem_pages[pfn]);
		broken = dir == CMEM_TO_SHARED ? state == CMEM_SHARED :
						state != CMEM_SHARED;
		if (broken && !nr_bad++) {
			bad_pfn = pfn;
			bad_state = state;
		}
		cmem_set_state(pfn, ret ? CMEM_UNKNOWN : target, idx);
	}
	if (first_pfn == ULONG_MAX)
		cmem_stats.untracked++;
	if (nr_bad)
		cmem_violation(rule, idx, bad_pfn, nr_bad, bad_state, retaddr);

	cmem_stats.calls[dir]++;
	cmem_stats.pages[dir] += call->numpages;
	c->calls[dir]++;
	c->pages[dir] += call->numpages;
	if (ret) {
		cmem_stats.failed[dir]++;
		c->failed[dir]++;
	}
}

static void cmem_poison(const struct cmem_call *call)
{
	int p = READ_ONCE(poison);
	int i;

	if (p < 0 || p > 255)
		return;
	for (i = 0; i < call->numpages; i++) {
		unsigned long va = call->addr + ((unsigned long)i << PAGE_SHIFT);

		if (cmem_pfn(call->addr, i) == ULONG_MAX)
			continue;
		memset((void *)va, p, PAGE_SIZE);
		atomic_long_inc(&cmem_poisoned_pages);
	}
}

static int cmem_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct cmem_call *call = (struct cmem_call *)ri->data;

	call->addr = regs_get_kernel_argument(regs, 0);
	call->numpages = (int)regs_get_kernel_argument(regs, 1);
	return 0;
}

static int cmem_return(struct kretprobe_instance *ri, struct pt_regs *regs,
		       enum cmem_dir dir)
{
	struct cmem_call *call = (struct cmem_call *)ri->data;
	int ret = (int)regs_return_value(regs);
	unsigned long retaddr = get_kretprobe_retaddr(ri);
	char caller[MODULE_NAME_LEN];
	unsigned long flags;
	unsigned int idx;

	if (call->numpages <= 0)
		return 0;
	cmem_caller_name(retaddr, caller);

	raw_spin_lock_irqsave(&cmem_lock, flags);
	idx = cmem_caller_index(caller);
	/* The real call did nothing here (no memory encryption): undo it freely. */
	if (!ret && cmem_inject(dir, caller)) {
		ret = -(int)READ_ONCE(cmem_fail_errno);
		regs_set_return_value(regs, ret);
		cmem_stats.injected[dir]++;
	}
	cmem_convert(call, dir, ret, idx, retaddr);
	raw_spin_unlock_irqrestore(&cmem_lock, flags);
	cmem_log_kick();

	/* A successful conversion changes what the guest reads in the page. */
	if (!ret)
		cmem_poison(call);
	return 0;
}

static int cmem_decrypted_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return cmem_return(ri, regs, CMEM_TO_SHARED);
}

static int cmem_encrypted_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return cmem_return(ri, regs, CMEM_TO_PRIVATE);
}

static struct kretprobe cmem_probes[CMEM_NR_DIRS] = {
	[CMEM_TO_SHARED] = {
		.kp.symbol_name = "set_memory_decrypted",
		.entry_handler = cmem_entry,
		.handler = cmem_decrypted_return,
		.data_size = sizeof(struct cmem_call),
		.maxactive = 64,
	},
	[CMEM_TO_PRIVATE] = {
		.kp.symbol_name = "set_memory_encrypted",
		.entry_handler = cmem_entry,
		.handler = cmem_encrypted_return,
		.data_size = sizeof(struct cmem_call),
		.maxactive = 64,
	},
};

static struct kretprobe *cmem_probe_list[CMEM_NR_DIRS] = {
	&cmem_probes[CMEM_TO_SHARED], &cmem_probes[CMEM_TO_PRIVATE],
};

/* ---- Frees ----------------------------------------------------------------- */

/* A shared or unknown page goes back to the page allocator: rule 2. */
static void cmem_freed(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);
	unsigned long nr = 1UL << order, i, nr_bad = 0, bad_pfn = 0;
	enum cmem_state bad_state = CMEM_PRIVATE;
	struct cmem_caller *owner = NULL;
	unsigned long flags;

	if (!atomic_long_read(&cmem_nonprivate) || pfn >= cmem_max_pfn)
		return;
	nr = min(nr, cmem_max_pfn - pfn);
	/* Most frees are of private pages: look before taking the lock. */
	for (i = 0; i < nr; i++)
		if (cmem_state_of(READ_ONCE(cmem_pages[pfn + i])) != CMEM_PRIVATE)
			break;
	if (i == nr)
		return;

	raw_spin_lock_irqsave(&cmem_lock, flags);
	for (i = 0; i < nr; i++) {
		u8 v = cmem_pages[pfn + i];

		if (cmem_state_of(v) == CMEM_PRIVATE)
			continue;
		if (!nr_bad++) {
			bad_pfn = pfn + i;
			bad_state = cmem_state_of(v);
			owner = cmem_owner_of(v);
		}
		/* It is the page allocator's now: private from here on. */
		cmem_set_state(pfn + i, CMEM_PRIVATE, 0);
	}
	if (nr_bad)
		cmem_violation(CMEM_FREED_NOT_PRIVATE,
			       owner ? owner - cmem_callers : cmem_caller_index("(unknown)"),
			       bad_pfn, nr_bad, bad_state, 0);
	raw_spin_unlock_irqrestore(&cmem_lock, flags);
	cmem_log_kick();
}

static void cmem_page_free(void *data, struct page *page, unsigned int order)
{
	cmem_freed(page, order);
}

/*
 * Reached after mm_page_free for the same pages (free_unref_folios()
 * prepares each folio first); their order is no longer in the page, so
 * only the first page is looked at.
 */
static void cmem_page_free_batched(void *data, struct page *page)
{
	cmem_freed(page, 0);
}

struct cmem_tracepoint {
	const char *name;
	void *probe;
	struct tracepoint *tp;
};

static struct cmem_tracepoint cmem_tracepoints[] = {
	{ .name = "mm_page_free", .probe = cmem_page_free },
	{ .name = "mm_page_free_batched", .probe = cmem_page_free_batched },
};

static void cmem_find_tracepoint(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmem_tracepoints); i++)
		if (!strcmp(tp->name, cmem_tracepoints[i].name))
			cmem_tracepoints[i].tp = tp;
}

static void cmem_tracepoints_unregister(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmem_tracepoints); i++)
		if (cmem_tracepoints[i].tp)
			tracepoint_probe_unregister(cmem_tracepoints[i].tp,
						    cmem_tracepoints[i].probe, NULL);
	tracepoint_synchronize_unregister();
}

static int cmem_tracepoints_register(void)
{
	unsigned int i;
	int ret;

	for_each_kernel_tracepoint(cmem_find_tracepoint, NULL);
	for (i = 0; i < ARRAY_SIZE(cmem_tracepoints); i++) {
		struct cmem_tracepoint *t = &cmem_tracepoints[i];

		if (!t->tp) {
			pr_err("ccshared_coco_mem: no tracepoint %s\n", t->name);
			ret = -ENOENT;
			goto fail;
		}
		ret = tracepoint_probe_register(t->tp, t->probe, NULL);
		if (ret) {
			pr_err("ccshared_coco_mem: cannot attach to %s (%d)\n", t->name, ret);
			t->tp = NULL;
			goto fail;
		}
	}
	return 0;
fail:
	cmem_tracepoints_unregister();
	return ret;
}

/* ---- debugfs --------------------------------------------------------------- */

static int cmem_pages_show(struct seq_file *s, void *unused)
{
	unsigned long flags;
	long shared, unknown;

	raw_spin_lock_irqsave(&cmem_lock, flags);
	shared = cmem_shared;
	unknown = cmem_unknown;
	raw_spin_unlock_irqrestore(&cmem_lock, flags);
	seq_printf(s, "shared: %ld\nunknown: %ld\n", shared, unknown);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cmem_pages);

static int cmem_stats_show(struct seq_file *s, void *unused)
{
	struct cmem_stats st;
	unsigned long flags;

	raw_spin_lock_irqsave(&cmem_lock, flags);
	st = cmem_stats;
	raw_spin_unlock_irqrestore(&cmem_lock, flags);
	seq_printf(s, "to_shared: %lu\nto_shared_pages: %lu\nfailed_to_shared: %lu\ninjected_to_shared: %lu\n",
		   st.calls[CMEM_TO_SHARED], st.pages[CMEM_TO_SHARED],
		   st.failed[CMEM_TO_SHARED], st.injected[CMEM_TO_SHARED]);
	seq_printf(s, "to_private: %lu\nto_private_pages: %lu\nfailed_to_private: %lu\ninjected_to_private: %lu\n",
		   st.calls[CMEM_TO_PRIVATE], st.pages[CMEM_TO_PRIVATE],
		   st.failed[CMEM_TO_PRIVATE], st.injected[CMEM_TO_PRIVATE]);
	seq_printf(s, "poisoned_pages: %ld\nuntracked: %lu\n",
		   atomic_long_read(&cmem_poisoned_pages), st.untracked);
	/* A missed call was not modelled: the model holds only while this is 0. */
	seq_printf(s, "missed: %lu\n",
		   (unsigned long)(cmem_probes[0].nmissed + cmem_probes[0].kp.nmissed +
				   cmem_probes[1].nmissed + cmem_probes[1].kp.nmissed));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cmem_stats);

static int cmem_callers_show(struct seq_file *s, void *unused)
{
	struct cmem_caller *c;
	unsigned long flags;
	unsigned int i, n;

	c = kmalloc_array(CMEM_MAX_CALLERS, sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	raw_spin_lock_irqsave(&cmem_lock, flags);
	n = cmem_nr_callers;
	memcpy(c, cmem_callers, n * sizeof(*c));
	raw_spin_unlock_irqrestore(&cmem_lock, flags);

	for (i = 0; i < n; i++) {
		seq_printf(s, "%s to_shared=%lu to_shared_pages=%lu failed_to_shared=%lu",
			   c[i].name, c[i].calls[CMEM_TO_SHARED],
			   c[i].pages[CMEM_TO_SHARED], c[i].failed[CMEM_TO_SHARED]);
		seq_printf(s, " to_private=%lu to_private_pages=%lu failed_to_private=%lu",
			   c[i].calls[CMEM_TO_PRIVATE], c[i].pages[CMEM_TO_PRIVATE],
			   c[i].failed[CMEM_TO_PRIVATE]);
		seq_printf(s, " shared=%ld unknown=%ld %s=%lu %s=%lu %s=%lu\n",
			   c[i].shared, c[i].unknown,
			   cmem_rule_names[0], c[i].violations[0],
			   cmem_rule_names[1], c[i].violations[1],
			   cmem_rule_names[2], c[i].violations[2]);
	}
	kfree(c);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cmem_callers);

static int cmem_violations_show(struct seq_file *s, void *unused)
{
	unsigned long v[CMEM_NR_RULES];
	unsigned long flags;
	int i;

	raw_spin_lock_irqsave(&cmem_lock, flags);
	memcpy(v, cmem_stats.violations, sizeof(v));
	raw_spin_unlock_irqrestore(&cmem_lock, flags);
	for (i = 0; i < CMEM_NR_RULES; i++)
		seq_printf(s, "%s: %lu\n", cmem_rule_names[i], v[i]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cmem_violations);

static int cmem_log_show(struct seq_file *s, void *unused)
{
	struct cmem_record *log;
	unsigned long flags;
	unsigned int i, j, n;

	log = kmalloc_array(CMEM_LOG_MAX, sizeof(*log), GFP_KERNEL);
	if (!log)
		return -ENOMEM;
	raw_spin_lock_irqsave(&cmem_lock, flags);
	n = cmem_log_len;
	memcpy(log, cmem_log, n * sizeof(*log));
	raw_spin_unlock_irqrestore(&cmem_lock, flags);

	for (i = 0; i < n; i++) {
		seq_printf(s, "%s by %s: %lu page(s) from pfn %#lx, first one %s\n",
			   cmem_rule_names[log[i].rule], log[i].caller,
			   log[i].nr_pages, log[i].pfn, cmem_state_names[log[i].state]);
		for (j = 0; j < log[i].nr_entries; j++)
			seq_printf(s, "  %pS\n", (void *)log[i].entries[j]);
	}
	kfree(log);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cmem_log);

static ssize_t cmem_reset_write(struct file *file, const char __user *buf,
				size_t count, loff_t *ppos)
{
	unsigned long flags;
	unsigned int i;

	flush_work(&cmem_log_work);
	raw_spin_lock_irqsave(&cmem_lock, flags);
	memset(&cmem_stats, 0, sizeof(cmem_stats));
	atomic_long_set(&cmem_poisoned_pages, 0);
	for (i = 0; i < cmem_nr_callers; i++) {
		struct cmem_caller *c = &cmem_callers[i];

		memset(c->calls, 0, sizeof(c->calls));
		memset(c->pages, 0, sizeof(c->pages));
		memset(c->failed, 0, sizeof(c->failed));
		memset(c->violations, 0, sizeof(c->violations));
	}
	cmem_log_len = 0;
	cmem_log_printed = 0;
	raw_spin_unlock_irqrestore(&cmem_lock, flags);
	for (i = 0; i < CMEM_NR_DIRS; i++) {
		cmem_probes[i].nmissed = 0;
		cmem_probes[i].kp.nmissed = 0;
	}
	return count;
}

static const struct file_operations cmem_reset_fops = {
	.owner = THIS_MODULE,
	.write = cmem_reset_write,
};

static ssize_t cmem_fail_caller_read(struct file *file, char __user *buf,
				     size_t count, loff_t *ppos)
{
	char name[MODULE_NAME_LEN + 1];
	unsigned long flags;

	raw_spin_lock_irqsave(&cmem_lock, flags);
	strscpy(name, cmem_fail_caller, MODULE_NAME_LEN);
	raw_spin_unlock_irqrestore(&cmem_lock, flags);
	strcat(name, "\n");
	return simple_read_from_buffer(buf, count, ppos, name, strlen(name));
}

static ssize_t cmem_fail_caller_write(struct file *file, const char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	char name[MODULE_NAME_LEN];
	unsigned long flags;

	if (count >= sizeof(name))
		return -EINVAL;
	if (copy_from_user(name, ubuf, count))
		return -EFAULT;
	name[count] = '\0';
	raw_spin_lock_irqsave(&cmem_lock, flags);
	strscpy(cmem_fail_caller, strim(name), sizeof(cmem_fail_caller));
	raw_spin_unlock_irqrestore(&cmem_lock, flags);
	return count;
}

static const struct file_operations cmem_fail_caller_fops = {
	.owner = THIS_MODULE,
	.read = cmem_fail_caller_read,
	.write = cmem_fail_caller_write,
	.llseek = default_llseek,
};

static int cmem_fail_errno_set(void *data, u64 val)
{
	if (!val || val >= MAX_ERRNO)
		return -EINVAL;
	WRITE_ONCE(cmem_fail_errno, val);
	return 0;
}

static int cmem_fail_errno_get(void *data, u64 *val)
{
	*val = READ_ONCE(cmem_fail_errno);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(cmem_fail_errno_fops, cmem_fail_errno_get,
			 cmem_fail_errno_set, "%llu\n");

static void cmem_debugfs_init(void)
{
	cmem_debugfs = debugfs_create_dir("ccshared_coco_mem", NULL);
	debugfs_create_file("pages", 0444, cmem_debugfs, NULL, &cmem_pages_fops);
	debugfs_create_file("stats", 0444, cmem_debugfs, NULL, &cmem_stats_fops);
	debugfs_create_file("callers", 0444, cmem_debugfs, NULL, &cmem_callers_fops);
	debugfs_create_file("violations", 0444, cmem_debugfs, NULL,
			    &cmem_violations_fops);
	debugfs_create_file("log", 0400, cmem_debugfs, NULL, &cmem_log_fops);
	debugfs_create_file("reset", 0200, cmem_debugfs, NULL, &cmem_reset_fops);
	debugfs_create_atomic_t("fail_to_shared", 0600, cmem_debugfs,
				&cmem_fail[CMEM_TO_SHARED]);
	debugfs_create_atomic_t("fail_to_private", 0600, cmem_debugfs,
				&cmem_fail[CMEM_TO_PRIVATE]);
	debugfs_create_file_unsafe("fail_errno", 0600, cmem_debugfs, NULL,
				   &cmem_fail_errno_fops);
	debugfs_create_file("fail_caller", 0600, cmem_debugfs, NULL,
			    &cmem_fail_caller_fops);
}

/* ---- Module ---------------------------------------------------------------- */

static unsigned long cmem_end_pfn(void)
{
	unsigned long end = 0;
	int nid;

	for_each_online_node(nid)
		end = max(end, node_end_pfn(nid));
	return end;
}

static int __init cmem_init(void)
{
	int ret;

	/* On a real confidential guest the conversions are real: model nothing. */
	if (cc_platform_has(CC_ATTR_MEM_ENCRYPT)) {
		pr_err("ccshared_coco_mem: memory encryption is active; the model is for machines without it\n");
		return -ENODEV;
	}
	if (poison < -1 || poison > 255) {
		pr_err("ccshared_coco_mem: poison must be a byte, or -1\n");
		return -EINVAL;
	}

	cmem_max_pfn = cmem_end_pfn();
	cmem_pages = vzalloc(cmem_max_pfn);
	if (!cmem_pages)
		return -ENOMEM;

	ret = cmem_tracepoints_register();
	if (ret)
		goto free_pages;
	ret = register_kretprobes(cmem_probe_list, CMEM_NR_DIRS);
	if (ret) {
		pr_err("ccshared_coco_mem: cannot probe the conversion functions (%d)\n", ret);
		goto unregister_tracepoints;
	}
	cmem_debugfs_init();

	pr_warn("ccshared_coco_mem: modelling confidential-guest memory for %lu page frames (test only)\n",
		cmem_max_pfn);
	add_taint(TAINT_USER, LOCKDEP_STILL_OK);
	return 0;

unregister_tracepoints:
	cmem_tracepoints_unregister();
free_pages:
	vfree(cmem_pages);
	return ret;
}

static void __exit cmem_exit(void)
{
	debugfs_remove(cmem_debugfs);
	unregister_kretprobes(cmem_probe_list, CMEM_NR_DIRS);
	cmem_tracepoints_unregister();
	cancel_work_sync(&cmem_log_work);
	pr_info("ccshared_coco_mem: unloaded (%lu shared and %lu unknown pages at unload)\n",
		cmem_shared, cmem_unknown);
	vfree(cmem_pages);
}

module_init(cmem_init);
module_exit(cmem_exit);

MODULE_DESCRIPTION("Test only: model a confidential guest's page conversions and their rules");
MODULE_LICENSE("GPL");
