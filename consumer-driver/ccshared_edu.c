// SPDX-License-Identifier: GPL-2.0
/*
 * ccshared_edu: a sample non-TDISP PCI driver that imports dma-bufs and
 * lets a device DMA into them.
 *
 * The device is QEMU's "edu" (1234:11e8): a DMA engine that copies up to
 * 4 KiB between a buffer inside the device and a bus address, and raises
 * an interrupt when it is done.  Real NICs, GPUs and accelerators have
 * descriptor rings instead of four registers, but they import dma-bufs the
 * same way, and this file is meant to be read top to bottom and copied.
 * As in any C file, callees come before their callers:
 *
 *   1. the non-TDISP policy: which buffers the device may use at all;
 *   2. bounded pinning: how much each open file and each device may pin;
 *   3. invalidation: the exporter takes the mapping away;
 *   4. import: dma_buf_get, a dynamic attach, pin and map under the
 *      reservation lock, wait for fences; and teardown, in exactly the
 *      reverse order;
 *   5. DMA: borrow the mapping under the reservation lock, then program
 *      the engine from the DMA addresses of the sg_table without it;
 *   6. the char device: per-file handles and budgets, ioctls;
 *   7. probe: enable the device, map its registers, set the DMA mask,
 *      request the interrupt, create /dev/ccshared_edu<N>; and remove,
 *      also while buffers are still attached.
 *
 * Confidential VMs.  In an SEV-SNP, TDX or CCA guest, a device that is not
 * trusted through TDISP can only reach memory the guest has shared with the
 * host.  The DMA API hides this for short-lived streaming mappings by
 * bouncing them through swiotlb, a shared pool, with a copy at map, unmap
 * and every sync.  A dma-buf mapping lives long, and a device that writes
 * into it writes into the bounce buffer: nothing shows up in the user's
 * memory until someone syncs.  So this driver accepts only dma-bufs it
 * knows to be shared memory where the device needs unencrypted DMA, unless
 * allow_bounce=1 says the user accepts bouncing.
 */

#include <linux/cc_platform.h>
#include <linux/ccshared_heap_importer.h>
#include <linux/completion.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <uapi/ccshared_edu.h>

#include "compat.h"

#define EDU_NAME		"ccshared_edu"

/* The edu device's registers (QEMU docs/specs/edu.rst), in BAR 0. */
#define EDU_REG_ID		0x00
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98

#define EDU_DMA_CMD_START	0x01
#define EDU_DMA_CMD_TO_RAM	0x02
#define EDU_DMA_CMD_IRQ		0x04
#define EDU_IRQ_DMA		0x100

/* The device's own buffer, as the DMA engine addresses it. */
#define EDU_BUF_ADDR		0x40000
#define EDU_BUF_SIZE		CCSHARED_EDU_DMA_MAX

/*
 * A transfer takes about 100 ms of the emulator's virtual time; allow for
 * a slow, emulated host.
 */
#define EDU_DMA_TIMEOUT		msecs_to_jiffies(10000)

/*
 * The edu device does not report how many address bits its DMA engine
 * has: QEMU's "dma_mask" property sets it, 28 bits by default, and the
 * engine silently drops the bits above.  The driver must be told.
 */
static unsigned int dma_bits = 28;
module_param(dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits,
		 "Address bits of the device's DMA engine; must match QEMU's edu dma_mask property (default 28, QEMU's default)");

static bool unencrypted_dma;
module_param(unencrypted_dma, bool, 0444);
MODULE_PARM_DESC(unencrypted_dma,
		 "Treat the device as needing unencrypted DMA even without guest memory encryption (tests, with the CoCo DMA emulation)");

static bool allow_bounce;
module_param(allow_bounce, bool, 0444);
MODULE_PARM_DESC(allow_bounce,
		 "Accept dma-bufs that are not known to be shared where the device needs unencrypted DMA, and mappings that bounce through swiotlb (default: refuse with -EPERM)");

/*
 * Every attachment pins its whole dma-buf until it is detached (see
 * "Bounded pinning" below).  These bound what one open file, and one
 * device, may pin; they are not a substitute for charging the memory to
 * its owner (RLIMIT_MEMLOCK, a memcg), which the heap does when it
 * allocates.
 */
static unsigned int max_attachments_per_file = 64;
module_param(max_attachments_per_file, uint, 0444);
MODULE_PARM_DESC(max_attachments_per_file,
		 "Attachments one open file may hold; ATTACH past it fails with -ENOSPC (default 64)");

static unsigned int max_pinned_mb_per_file = 256;
module_param(max_pinned_mb_per_file, uint, 0444);
MODULE_PARM_DESC(max_pinned_mb_per_file,
		 "MiB of dma-bufs one open file may keep pinned, each attachment counting its whole buffer; ATTACH past it fails with -ENOSPC (default 256)");

static unsigned int max_attachments_per_device = 256;
module_param(max_attachments_per_device, uint, 0444);
MODULE_PARM_DESC(max_attachments_per_device,
		 "Attachments all open files of one device may hold together; ATTACH past it fails with -ENOSPC (default 256)");

static unsigned int max_pinned_mb_per_device = 1024;
module_param(max_pinned_mb_per_device, uint, 0444);
MODULE_PARM_DESC(max_pinned_mb_per_device,
		 "MiB of dma-bufs all open files of one device may keep pinned together; ATTACH past it fails with -ENOSPC (default 1024)");

static DEFINE_IDA(edu_ida);

/**
 * struct edu_device - one edu device
 * @pdev:	the PCI device; its struct device is the one we DMA for
 * @regs:	BAR 0
 * @misc:	/dev/ccshared_edu<N>
 * @name:	"ccshared_edu<N>"
 * @id:		N
 * @ref:	held by the driver while bound and by each open file
 * @lock:	serialises the DMA engine and everything below
 * @buffers:	every attachment, by handle; each remembers its file
 * @nr_attachments: how many there are, for max_attachments_per_device
 * @pinned_bytes: what they pin, for max_pinned_mb_per_device
 * @dma_done:	completed by the interrupt handler
 * @transfer_wq: woken when a transfer gives back the mapping it borrowed
 * @gone:	the device was removed; open files get -ENODEV
 * @broken:	a transfer timed out; the engine may still be running
 */
struct edu_device {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct miscdevice misc;
	char name[24];
	int id;
	struct kref ref;
	struct mutex lock;	/* the DMA engine and everything below */
	struct xarray buffers;
	unsigned int nr_attachments;
	u64 pinned_bytes;
	struct completion dma_done;
	wait_queue_head_t transfer_wq;
	bool gone;
	bool broken;
};

/**
 * struct edu_file - one open /dev/ccshared_edu<N>
 * @edu:	the device
 * @nr_attachments: attachments this file holds, for max_attachments_per_file
 * @pinned_bytes: what they pin, for max_pinned_mb_per_file
 *
 * The counters are protected by @edu->lock.
 */
struct edu_file {
	struct edu_device *edu;
	unsigned int nr_attachments;
	u64 pinned_bytes;
};

/**
 * struct edu_buffer - one imported dma-buf, attached and mapped
 * @edu:	the device
 * @owner:	the file that attached it
 * @dmabuf:	our own reference to the dma-buf
 * @attach:	our attachment
 * @sgt:	the mapping; NULL once unmapped
 * @in_transfer: the device is using @sgt (see edu_mapping_borrow())
 * @shared:	the exporter hands out shared memory
 * @bounced:	some segment of the mapping is a swiotlb bounce buffer
 * @nr_segments: DMA segments in @sgt
 * @mapped_len:	sum of their lengths
 * @map_ns:	how long attaching, pinning and mapping took
 *
 * @sgt and everything about the mapping are protected by the dma-buf's
 * reservation lock, because the exporter's invalidation changes them
 * under that lock.  @in_transfer is set under it too, but cleared without
 * it, so that a transfer never needs the lock to finish.
 */
struct edu_buffer {
	struct edu_device *edu;
	struct edu_file *owner;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	bool in_transfer;
	bool shared;
	bool bounced;
	u32 nr_segments;
	u64 mapped_len;
	u64 map_ns;
};

static void edu_device_free(struct kref *ref)
{
	struct edu_device *edu = container_of(ref, struct edu_device, ref);

	xa_destroy(&edu->buffers);
	mutex_destroy(&edu->lock);
	kfree(edu);
}

/* ---- The non-TDISP policy ------------------------------------------------ */

/*
 * Does the device need unencrypted (shared) DMA?  The kernel's own answer,
 * force_dma_unencrypted(), is not exported to modules.  A device that is
 * not TDISP-trusted needs it in every guest with memory encryption, so ask
 * the platform, and let tests say so on a stock kernel.
 */
static bool edu_needs_unencrypted_dma(void)
{
	return cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT) || unencrypted_dma;
}

/*
 * Is this dma-buf shared memory?  Nothing in a dma-buf says what its
 * memory is, and exp_name is a debugging aid that any exporter may set to
 * anything: private memory named "system_cc_shared" would pass a name
 * check.  Only an exporter knows its own buffers, so ask it.
 * ccshared_heap.ko compares the buffer's ops with its own; symbol_get()
 * finds it if it is loaded and holds it while we ask, without making this
 * driver need it (iommufd asks vfio-pci the same way).  The in-tree heap
 * (7.2+) offers no such call: where it is built in, its name is all there
 * is.  Add your own exporters of shared memory here.  Everything else is
 * private.
 */
static bool edu_dmabuf_is_shared(struct dma_buf *dmabuf)
{
	bool (*heap_is_shared)(struct dma_buf *dmabuf);
	bool shared;

	heap_is_shared = symbol_get(ccshared_heap_dmabuf_is_shared);
	if (heap_is_shared) {
		shared = heap_is_shared(dmabuf);
		symbol_put(ccshared_heap_dmabuf_is_shared);
		if (shared)
			return true;
	}

	return IS_ENABLED(CONFIG_DMABUF_HEAPS_SYSTEM_CC_SHARED) &&
	       dmabuf->exp_name && !strcmp(dmabuf->exp_name, "system_cc_shared");
}

/* Refuse, before mapping, a buffer the device could only reach by bouncing. */
static int edu_policy_check_buffer(struct edu_device *edu, struct dma_buf *dmabuf)
{
	if (!edu_needs_unencrypted_dma() || edu_dmabuf_is_shared(dmabuf) || allow_bounce)
		return 0;

	dev_notice_ratelimited(&edu->pdev->dev,
			       "refusing a dma-buf from exporter '%s': the device needs unencrypted DMA and the buffer is not known to be shared (non-TDISP policy); allocate it from /dev/dma_heap/system_cc_shared, or load with allow_bounce=1\n",
			       dmabuf->exp_name ?: "?");
	return -EPERM;
}

/*
 * A cache-coherent device (every PCI device on x86) never needs a sync,
 * unless its address is a bounce buffer: dma_need_sync() is how an
 * importer can tell without looking at the pages.  On a non-coherent
 * device every address needs syncs, and this errs on the side of "bounced".
 */
static bool edu_mapping_bounced(struct device *dev, struct sg_table *sgt)
{
	struct scatterlist *sg;
	int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (dma_need_sync(dev, sg_dma_address(sg)))
			return true;
	}
	return false;
}

/* Refuse, after mapping, a shared buffer that the DMA API bounced anyway. */
static int edu_policy_check_mapping(struct edu_buffer *buf)
{
	if (!edu_needs_unencrypted_dma() || !buf->bounced || allow_bounce)
		return 0;

	dev_notice_ratelimited(&buf->edu->pdev->dev,
			       "refusing a dma-buf from exporter '%s': its mapping bounces through swiotlb, so the device would not see the user's memory (non-TDISP policy); load with allow_bounce=1 to accept that\n",
			       buf->dmabuf->exp_name ?: "?");
	return -EPERM;
}

/* ---- Bounded pinning ---------------------------------------------------- */

/*
 * An attachment pins its whole dma-buf until it is detached: the exporter
 * may neither move nor reclaim it, and a mapping that bounces holds
 * swiotlb slots, which the whole guest's I/O shares.  The kdoc of
 * dma_buf_pin() forbids letting userspace pin arbitrary amounts, so every
 * open file and every device has a budget of attachments and bytes.  A
 * dma-buf attached twice counts twice: each attachment has its own
 * mapping.  Called with edu->lock held, before anything is attached.
 */
static int edu_budget_charge(struct edu_file *ef, u64 size)
{
	struct edu_device *edu = ef->edu;
	const char *limit = NULL;

	lockdep_assert_held(&edu->lock);

	if (ef->nr_attachments >= max_attachments_per_file)
		limit = "max_attachments_per_file";
	else if (ef->pinned_bytes + size > (u64)max_pinned_mb_per_file << 20)
		limit = "max_pinned_mb_per_file";
	else if (edu->nr_attachments >= max_attachments_per_device)
		limit = "max_attachments_per_device";
	else if (edu->pinned_bytes + size > (u64)max_pinned_mb_per_device << 20)
		limit = "max_pinned_mb_per_device";
	if (limit) {
		dev_notice_ratelimited(&edu->pdev->dev,
				       "refusing to attach a %llu-byte dma-buf: it would exceed %s (this file: %u attachments, %llu bytes pinned; the device: %u, %llu)\n",
				       size, limit, ef->nr_attachments, ef->pinned_bytes,
				       edu->nr_attachments, edu->pinned_bytes);
		return -ENOSPC;
	}

	ef->nr_attachments++;
	ef->pinned_bytes += size;
	edu->nr_attachments++;
	edu->pinned_bytes += size;
	return 0;
}

static void edu_budget_uncharge(struct edu_file *ef, u64 size)
{
	struct edu_device *edu = ef->edu;

	lockdep_assert_held(&edu->lock);

	ef->nr_attachments--;
	ef->pinned_bytes -= size;
	edu->nr_attachments--;
	edu->pinned_bytes -= size;
}

/* ---- Invalidation ------------------------------------------------------- */

/*
 * Undo edu_pin_and_map_locked(), once: from the invalidation callback or
 * from teardown, whichever comes first.  @sgt == NULL marks it done.
 */
static void edu_unmap_locked(struct edu_buffer *buf)
{
	dma_resv_assert_held(buf->dmabuf->resv);

	if (!buf->sgt)
		return;
	dma_buf_unmap_attachment(buf->attach, buf->sgt, DMA_BIDIRECTIONAL);
	buf->sgt = NULL;
	dma_buf_unpin(buf->attach);
}

/*
 * Called by the exporter, with the reservation lock held, when it must
 * move or revoke the buffer.  We pinned it, so a well-behaved exporter
 * only gets here to revoke it, and a pinned importer takes that as final
 * (the kdoc of dma_buf_invalidate_mappings()): stop using the mapping and
 * give it back before returning, so the exporter need not wait for us.
 *
 * A transfer may be using the mapping right now, without the lock: wait
 * until it gives the mapping back.  That takes at most EDU_DMA_TIMEOUT per
 * segment, after which the device can no longer reach memory at all.  No
 * new transfer can borrow it meanwhile, because borrowing takes the lock
 * we hold.  Later DMA on this handle gets -ENODEV; INFO reports it revoked.
 */
static void edu_invalidate(struct dma_buf_attachment *attach)
{
	struct edu_buffer *buf = attach->importer_priv;

	wait_event(buf->edu->transfer_wq, !READ_ONCE(buf->in_transfer));
	if (!buf->sgt)
		return;
	edu_unmap_locked(buf);
	dev_info_ratelimited(&buf->edu->pdev->dev,
			     "the exporter revoked the mapping of a %zu-byte dma-buf; DMA on it fails with -ENODEV from now on\n",
			     buf->dmabuf->size);
}

/*
 * A dynamic attachment: only dynamic importers may pin, and only they are
 * told when the exporter takes the mapping away.
 */
static const struct dma_buf_attach_ops edu_attach_ops = {
	.allow_peer2peer = false,	/* we need struct pages behind the buffer */
	.EDU_ATTACH_OPS_INVALIDATE = edu_invalidate,
};

/* ---- Import: get, attach, pin, map -------------------------------------- */

static void edu_describe_mapping(struct edu_buffer *buf)
{
	struct scatterlist *sg;
	int i;

	buf->nr_segments = buf->sgt->nents;
	buf->mapped_len = 0;
	for_each_sgtable_dma_sg(buf->sgt, sg, i)
		buf->mapped_len += sg_dma_len(sg);
	buf->bounced = edu_mapping_bounced(&buf->edu->pdev->dev, buf->sgt);
}

/*
 * Pin and map with the reservation lock held, as dma-buf requires.  The
 * pin keeps the exporter from moving the buffer for as long as the device
 * may use it; the wait makes sure whatever the exporter was still doing to
 * the memory (clearing, migrating) is finished before we look at it.
 */
static int edu_pin_and_map_locked(struct edu_buffer *buf)
{
	struct sg_table *sgt;
	long timeout;
	int ret;

	ret = dma_buf_pin(buf->attach);
	if (ret)
		return ret;

	sgt = dma_buf_map_attachment(buf->attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto unpin;
	}
	buf->sgt = sgt;

	timeout = dma_resv_wait_timeout(buf->dmabuf->resv, DMA_RESV_USAGE_KERNEL,
					true, MAX_SCHEDULE_TIMEOUT);
	if (timeout < 0) {
		ret = timeout;
		goto unmap;
	}

	edu_describe_mapping(buf);
	ret = edu_policy_check_mapping(buf);
	if (ret)
		goto unmap;
	return 0;

unmap:
	dma_buf_unmap_attachment(buf->attach, sgt, DMA_BIDIRECTIONAL);
	buf->sgt = NULL;
unpin:
	dma_buf_unpin(buf->attach);
	return ret;
}

static struct edu_buffer *edu_import(struct edu_file *owner, int fd)
{
	struct edu_device *edu = owner->edu;
	struct edu_buffer *buf;
	struct dma_buf *dmabuf;
	ktime_t start;
	int ret;

	/* Our own reference: the user may close the fd right after ATTACH. */
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return ERR_CAST(dmabuf);

	ret = edu_policy_check_buffer(edu, dmabuf);
	if (ret)
		goto put;

	ret = edu_budget_charge(owner, dmabuf->size);
	if (ret)
		goto put;

	buf = kzalloc_obj(*buf);
	if (!buf) {
		ret = -ENOMEM;
		goto uncharge;
	}
	buf->edu = edu;
	buf->owner = owner;
	buf->dmabuf = dmabuf;
	buf->shared = edu_dmabuf_is_shared(dmabuf);

	/*
	 * Time attach, pin and map together: 6.12 maps the buffer of an
	 * exporter without pin/unpin already in dma_buf_dynamic_attach() and
	 * hands out that cached table later, so that is where it bounces.
	 */
	start = ktime_get();
	buf->attach = dma_buf_dynamic_attach(dmabuf, &edu->pdev->dev,
					     &edu_attach_ops, buf);
	if (IS_ERR(buf->attach)) {
		ret = PTR_ERR(buf->attach);
		goto free;
	}

	dma_resv_lock(dmabuf->resv, NULL);
	ret = edu_pin_and_map_locked(buf);
	dma_resv_unlock(dmabuf->resv);
	if (ret)
		goto detach;
	buf->map_ns = ktime_to_ns(ktime_sub(ktime_get(), start));
	return buf;

detach:
	dma_buf_detach(dmabuf, buf->attach);
free:
	kfree(buf);
uncharge:
	edu_budget_uncharge(owner, dmabuf->size);
put:
	dma_buf_put(dmabuf);
	return ERR_PTR(ret);
}

/*
 * The exact reverse of edu_import().  Called with edu->lock held, so no
 * transfer of this device is using the mapping.
 */
static void edu_release_buffer(struct edu_buffer *buf)
{
	struct dma_buf *dmabuf = buf->dmabuf;
	struct edu_file *owner = buf->owner;

	dma_resv_lock(dmabuf->resv, NULL);
	edu_unmap_locked(buf);
	dma_resv_unlock(dmabuf->resv);

	dma_buf_detach(dmabuf, buf->attach);
	kfree(buf);
	edu_budget_uncharge(owner, dmabuf->size);
	dma_buf_put(dmabuf);
}

/* ---- DMA ----------------------------------------------------------------- */

static irqreturn_t edu_irq(int irq, void *data)
{
	struct edu_device *edu = data;
	u32 status;

	/* INTx may be shared: say so when it was not us. */
	status = readl(edu->regs + EDU_REG_IRQ_STATUS);
	if (!status)
		return IRQ_NONE;

	/* The device keeps the interrupt raised until it is acknowledged. */
	writel(status, edu->regs + EDU_REG_IRQ_ACK);
	if (status & EDU_IRQ_DMA)
		complete(&edu->dma_done);
	return IRQ_HANDLED;
}

/*
 * One transfer of @len bytes between bus address @bus and offset @dev_off
 * of the device's buffer.  writeq() orders the CPU's earlier memory writes
 * before the doorbell; the interrupt tells us the device is done with the
 * memory.  Called with edu->lock held and the mapping borrowed.
 */
static int edu_run_dma(struct edu_device *edu, dma_addr_t bus, u32 dev_off,
		       u32 len, bool to_ram)
{
	u64 cmd = EDU_DMA_CMD_START | EDU_DMA_CMD_IRQ;

	if (edu->broken)
		return -EIO;

	reinit_completion(&edu->dma_done);
	if (to_ram) {
		writeq(EDU_BUF_ADDR + dev_off, edu->regs + EDU_REG_DMA_SRC);
		writeq(bus, edu->regs + EDU_REG_DMA_DST);
		cmd |= EDU_DMA_CMD_TO_RAM;
	} else {
		writeq(bus, edu->regs + EDU_REG_DMA_SRC);
		writeq(EDU_BUF_ADDR + dev_off, edu->regs + EDU_REG_DMA_DST);
	}
	writeq(len, edu->regs + EDU_REG_DMA_COUNT);
	writeq(cmd, edu->regs + EDU_REG_DMA_CMD);

	/*
	 * Not interruptible: the engine cannot be stopped, so the memory must
	 * stay mapped until it has finished.  If it never does, the caller
	 * will unmap the buffer and the exporter may free it while the engine
	 * may still write to it: clear Bus Master Enable, so that the device
	 * cannot reach memory any more, and refuse further transfers.
	 */
	if (!wait_for_completion_timeout(&edu->dma_done, EDU_DMA_TIMEOUT)) {
		pci_clear_master(edu->pdev);
		edu->broken = true;
		dev_err(&edu->pdev->dev, "DMA timed out; disabling the device's DMA\n");
		return -ETIMEDOUT;
	}
	return 0;
}

/*
 * Walk the DMA segments, never the pages: an importer owns only the DMA
 * addresses (with CONFIG_DMABUF_DEBUG the page pointers are scrambled),
 * and in a confidential VM only those say where the device may go.  A
 * range that spans segments becomes one transfer per segment.
 */
static int edu_dma_sg(struct edu_buffer *buf, u64 offset, u32 len, bool to_ram)
{
	struct scatterlist *sg;
	u64 seg_start = 0;
	u32 done = 0;
	int i, ret;

	for_each_sgtable_dma_sg(buf->sgt, sg, i) {
		u64 seg_len = sg_dma_len(sg);
		u64 skip;
		u32 n;

		if (offset + done >= seg_start + seg_len) {
			seg_start += seg_len;
			continue;
		}
		skip = offset + done - seg_start;
		n = min_t(u64, len - done, seg_len - skip);
		ret = edu_run_dma(buf->edu, sg_dma_address(sg) + skip, done, n, to_ram);
		if (ret)
			return ret;
		done += n;
		if (done == len)
			return 0;
		seg_start += seg_len;
	}
	return -EINVAL;		/* the mapping is shorter than the buffer */
}

/*
 * Borrow the mapping for one transfer.  The reservation lock is taken only
 * to check that the mapping is still there and to mark it in use; the
 * transfer runs without it.  Holding it across the hardware's work would
 * stall, for as long as the device takes, every other importer's map, the
 * exporter's vmap and eviction, and anyone waiting to lock the buffer.
 * Our pin keeps the memory where it is meanwhile; only a revocation could
 * take the mapping away, and edu_invalidate() waits for the transfer.
 */
static int edu_mapping_borrow(struct edu_buffer *buf)
{
	struct dma_resv *resv = buf->dmabuf->resv;
	int ret;

	ret = dma_resv_lock_interruptible(resv, NULL);
	if (ret)
		return ret;
	if (buf->sgt)
		buf->in_transfer = true;
	else
		ret = -ENODEV;		/* revoked */
	dma_resv_unlock(resv);
	return ret;
}

/* The device is done with the memory: let a waiting revocation go on. */
static void edu_mapping_return(struct edu_buffer *buf)
{
	WRITE_ONCE(buf->in_transfer, false);
	wake_up_all(&buf->edu->transfer_wq);
}

static int edu_dma(struct edu_buffer *buf, const struct ccshared_edu_dma *req)
{
	bool to_ram = req->direction == CCSHARED_EDU_FROM_DEVICE;
	struct dma_resv *resv = buf->dmabuf->resv;
	long timeout;
	u64 end;
	int ret;

	if (req->direction != CCSHARED_EDU_TO_DEVICE &&
	    req->direction != CCSHARED_EDU_FROM_DEVICE)
		return -EINVAL;
	if (!req->length || req->length > EDU_BUF_SIZE ||
	    check_add_overflow(req->offset, req->length, &end) ||
	    end > buf->dmabuf->size)
		return -EINVAL;

	/*
	 * Implicit sync: writing waits for every fence, reading for the
	 * writers'.  Waiting needs no lock, and under it would block everyone
	 * else for as long as those fences take.  This driver publishes no
	 * fences of its own (see docs/driver-guide.md), so it orders itself
	 * only after the work the buffer knows of now; userspace orders the
	 * rest, as the ioctl returns when the transfer is done.
	 */
	timeout = dma_resv_wait_timeout(resv, dma_resv_usage_rw(to_ram), true,
					MAX_SCHEDULE_TIMEOUT);
	if (timeout < 0)
		return timeout;

	ret = edu_mapping_borrow(buf);
	if (ret)
		return ret;
	ret = edu_dma_sg(buf, req->offset, req->length, to_ram);
	edu_mapping_return(buf);
	return ret;
}

/* ---- The char device ----------------------------------------------------- */

static int edu_open(struct inode *inode, struct file *file)
{
	struct edu_device *edu = container_of(file->private_data,
					      struct edu_device, misc);
	struct edu_file *ef;

	ef = kzalloc_obj(*ef);
	if (!ef)
		return -ENOMEM;
	ef->edu = edu;

	mutex_lock(&edu->lock);
	if (edu->gone) {
		mutex_unlock(&edu->lock);
		kfree(ef);
		return -ENODEV;
	}
	kref_get(&edu->ref);
	mutex_unlock(&edu->lock);

	file->private_data = ef;
	return 0;
}

/* Closing the file detaches what it left attached. */
static int edu_release(struct inode *inode, struct file *file)
{
	struct edu_file *ef = file->private_data;
	struct edu_device *edu = ef->edu;
	struct edu_buffer *buf;
	unsigned long handle;

	mutex_lock(&edu->lock);
	xa_for_each(&edu->buffers, handle, buf) {
		if (buf->owner != ef)
			continue;
		xa_erase(&edu->buffers, handle);
		edu_release_buffer(buf);
	}
	mutex_unlock(&edu->lock);

	kfree(ef);
	kref_put(&edu->ref, edu_device_free);
	return 0;
}

/* Find one of this file's attachments.  Called with edu->lock held. */
static struct edu_buffer *edu_lookup(struct edu_file *ef, u32 handle)
{
	struct edu_buffer *buf = xa_load(&ef->edu->buffers, handle);

	return buf && buf->owner == ef ? buf : NULL;
}

static long edu_ioctl_attach(struct edu_file *ef, void __user *arg)
{
	struct ccshared_edu_attach req;
	struct edu_buffer *buf;
	u32 handle;
	int ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.reserved || req.handle)
		return -EINVAL;

	buf = edu_import(ef, req.fd);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	ret = xa_alloc(&ef->edu->buffers, &handle, buf, xa_limit_32b, GFP_KERNEL);
	if (ret)
		goto release;

	req.handle = handle;
	if (copy_to_user(arg, &req, sizeof(req))) {
		ret = -EFAULT;
		goto erase;
	}
	return 0;

erase:
	xa_erase(&ef->edu->buffers, handle);
release:
	edu_release_buffer(buf);
	return ret;
}

static long edu_ioctl_detach(struct edu_file *ef, void __user *arg)
{
	struct ccshared_edu_detach req;
	struct edu_buffer *buf;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags)
		return -EINVAL;

	buf = edu_lookup(ef, req.handle);
	if (!buf)
		return -ENOENT;
	xa_erase(&ef->edu->buffers, req.handle);
	edu_release_buffer(buf);
	return 0;
}

static long edu_ioctl_dma(struct edu_file *ef, void __user *arg)
{
	struct ccshared_edu_dma req;
	struct edu_buffer *buf;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;

	buf = edu_lookup(ef, req.handle);
	if (!buf)
		return -ENOENT;
	return edu_dma(buf, &req);
}

static long edu_ioctl_info(struct edu_file *ef, void __user *arg)
{
	struct ccshared_edu_info req;
	struct edu_buffer *buf;
	int ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.nr_segments || req.reserved || req.size ||
	    req.mapped_len || req.map_ns)
		return -EINVAL;

	buf = edu_lookup(ef, req.handle);
	if (!buf)
		return -ENOENT;

	ret = dma_resv_lock_interruptible(buf->dmabuf->resv, NULL);
	if (ret)
		return ret;
	if (buf->shared)
		req.flags |= CCSHARED_EDU_INFO_SHARED;
	if (buf->bounced)
		req.flags |= CCSHARED_EDU_INFO_BOUNCED;
	if (edu_needs_unencrypted_dma())
		req.flags |= CCSHARED_EDU_INFO_UNENCRYPTED;
	if (!buf->sgt)
		req.flags |= CCSHARED_EDU_INFO_REVOKED;
	req.nr_segments = buf->nr_segments;
	req.size = buf->dmabuf->size;
	req.mapped_len = buf->mapped_len;
	req.map_ns = buf->map_ns;
	dma_resv_unlock(buf->dmabuf->resv);

	return copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
}

/*
 * The ioctl number carries the struct's size; a size we do not know is a
 * version we do not speak.
 */
static long edu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct edu_file *ef = file->private_data;
	struct edu_device *edu = ef->edu;
	void __user *uarg = (void __user *)arg;
	long ret;

	if (_IOC_TYPE(cmd) != CCSHARED_EDU_MAGIC)
		return -ENOTTY;

	mutex_lock(&edu->lock);
	if (edu->gone) {
		ret = -ENODEV;
		goto unlock;
	}

	switch (cmd) {
	case CCSHARED_EDU_IOCTL_ATTACH:
		ret = edu_ioctl_attach(ef, uarg);
		break;
	case CCSHARED_EDU_IOCTL_DETACH:
		ret = edu_ioctl_detach(ef, uarg);
		break;
	case CCSHARED_EDU_IOCTL_DMA:
		ret = edu_ioctl_dma(ef, uarg);
		break;
	case CCSHARED_EDU_IOCTL_INFO:
		ret = edu_ioctl_info(ef, uarg);
		break;
	default:
		switch (_IOC_NR(cmd)) {
		case _IOC_NR(CCSHARED_EDU_IOCTL_ATTACH):
		case _IOC_NR(CCSHARED_EDU_IOCTL_DETACH):
		case _IOC_NR(CCSHARED_EDU_IOCTL_DMA):
		case _IOC_NR(CCSHARED_EDU_IOCTL_INFO):
			ret = -EINVAL;	/* a known request of the wrong size */
			break;
		default:
			ret = -ENOTTY;
		}
	}
unlock:
	mutex_unlock(&edu->lock);
	return ret;
}

static const struct file_operations edu_fops = {
	.owner = THIS_MODULE,
	.open = edu_open,
	.release = edu_release,
	.unlocked_ioctl = edu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* ---- Probe and remove ---------------------------------------------------- */

static int edu_setup_irq(struct edu_device *edu)
{
	struct pci_dev *pdev = edu->pdev;
	int ret;

	/* MSI if the platform gives it, else the legacy line. */
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return ret;

	ret = request_irq(pci_irq_vector(pdev, 0), edu_irq, IRQF_SHARED,
			  edu->name, edu);
	if (ret)
		pci_free_irq_vectors(pdev);
	return ret;
}

static void edu_teardown_irq(struct edu_device *edu)
{
	free_irq(pci_irq_vector(edu->pdev, 0), edu);
	pci_free_irq_vectors(edu->pdev);
}

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu_device *edu;
	int ret;

	if (!dma_bits || dma_bits > 64) {
		dev_err(&pdev->dev, "dma_bits must be 1 to 64, not %u\n", dma_bits);
		return -EINVAL;
	}

	edu = kzalloc_obj(*edu);
	if (!edu)
		return -ENOMEM;
	edu->pdev = pdev;
	kref_init(&edu->ref);
	mutex_init(&edu->lock);
	xa_init_flags(&edu->buffers, XA_FLAGS_ALLOC1);
	init_completion(&edu->dma_done);
	init_waitqueue_head(&edu->transfer_wq);

	edu->id = ida_alloc(&edu_ida, GFP_KERNEL);
	if (edu->id < 0) {
		ret = edu->id;
		goto put;
	}
	snprintf(edu->name, sizeof(edu->name), EDU_NAME "%d", edu->id);

	ret = pci_enable_device(pdev);
	if (ret)
		goto free_id;

	ret = pci_request_regions(pdev, EDU_NAME);
	if (ret)
		goto disable;

	edu->regs = pci_iomap(pdev, 0, 0);
	if (!edu->regs) {
		ret = -ENOMEM;
		goto release_regions;
	}

	/*
	 * The mask is what keeps the DMA API from handing the device an
	 * address it cannot reach: it bounces, or fails, instead.
	 */
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(dma_bits));
	if (ret) {
		dev_err(&pdev->dev, "cannot use a %u-bit DMA mask\n", dma_bits);
		goto unmap;
	}
	pci_set_master(pdev);

	ret = edu_setup_irq(edu);
	if (ret)
		goto clear_master;

	edu->misc.minor = MISC_DYNAMIC_MINOR;
	edu->misc.name = edu->name;
	edu->misc.fops = &edu_fops;
	edu->misc.parent = &pdev->dev;
	ret = misc_register(&edu->misc);
	if (ret)
		goto teardown_irq;

	pci_set_drvdata(pdev, edu);
	dev_info(&pdev->dev, "/dev/%s: edu %#x, %u-bit DMA, %s interrupt%s\n",
		 edu->name, readl(edu->regs + EDU_REG_ID), dma_bits,
		 pdev->msi_enabled ? "MSI" : "INTx",
		 edu_needs_unencrypted_dma() ? ", needs unencrypted DMA" : "");
	return 0;

teardown_irq:
	edu_teardown_irq(edu);
clear_master:
	pci_clear_master(pdev);
unmap:
	pci_iounmap(pdev, edu->regs);
release_regions:
	pci_release_regions(pdev);
disable:
	pci_disable_device(pdev);
free_id:
	ida_free(&edu_ida, edu->id);
put:
	kref_put(&edu->ref, edu_device_free);
	return ret;
}

/*
 * Unbind, also with files open and buffers attached: no new opens, then
 * detach everything (waiting for a transfer in flight through edu->lock),
 * then undo probe.  Open files keep the structure until they close, and
 * see -ENODEV.
 */
static void edu_remove(struct pci_dev *pdev)
{
	struct edu_device *edu = pci_get_drvdata(pdev);
	struct edu_buffer *buf;
	unsigned long handle;

	misc_deregister(&edu->misc);

	mutex_lock(&edu->lock);
	edu->gone = true;
	xa_for_each(&edu->buffers, handle, buf) {
		xa_erase(&edu->buffers, handle);
		edu_release_buffer(buf);
	}
	mutex_unlock(&edu->lock);

	edu_teardown_irq(edu);
	pci_clear_master(pdev);
	pci_iounmap(pdev, edu->regs);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
	ida_free(&edu_ida, edu->id);
	kref_put(&edu->ref, edu_device_free);
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },		/* QEMU edu */
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct pci_driver edu_driver = {
	.name = EDU_NAME,
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
};
module_pci_driver(edu_driver);

MODULE_DESCRIPTION("Sample non-TDISP PCI driver: DMA into imported dma-bufs on QEMU's edu device");
MODULE_LICENSE("GPL");
/*
 * MODULE_IMPORT_NS() takes a string from 6.13 on and a bare name before;
 * both expand to this.
 */
MODULE_INFO(import_ns, "DMA_BUF");
