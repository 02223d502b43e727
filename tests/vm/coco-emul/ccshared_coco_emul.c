// SPDX-License-Identifier: GPL-2.0
/*
 * ccshared_coco_emul: emulate, for chosen PCI devices, the DMA path of a
 * confidential guest on a stock kernel.  Test only.
 *
 * In an SEV or TDX guest, force_dma_unencrypted() is true for every device
 * that is not TDISP-trusted: the DMA layer then maps only shared memory
 * for it, at its unencrypted DMA address, and bounces (7.x: refuses) the
 * rest.  QEMU here has no SEV or TDX, so a kretprobe makes that function
 * return true for the devices matching vendor:device, and leaves it alone
 * for all others (virtio, which the guest's own I/O needs).
 *
 * What it models, on 7.3: DMA_ATTR_CC_SHARED mappings go direct; plain
 * mappings of private memory fail, because the swiotlb pool was set up at
 * boot as private.  A real guest would bounce them through a shared pool.
 * What it does not model: memory is never actually encrypted, and
 * set_memory_decrypted() changes nothing.
 *
 * /sys/kernel/debug/ccshared_coco_emul/
 *   stats        calls of force_dma_unencrypted() seen, how many of them
 *                were forced to true, and how many the kretprobe missed
 *                (all instances busy): a missed call returned the real
 *                answer, so the emulation holds only while that is 0
 *   check        for each matching device: dma_max_mapping_size() and a
 *                DMA_ATTR_CC_SHARED mapping of a fresh page (DMA address
 *                against physical address)
 *   map_private  write anything: map a private page plainly for the first
 *                matching device, as a driver without a policy would; on
 *                7.3 this fails *with a kernel warning*.  Read: the result.
 */

#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/ptrace.h>
#include <linux/seq_file.h>

static ushort vendor = 0x1234;
module_param(vendor, ushort, 0444);
MODULE_PARM_DESC(vendor, "PCI vendor ID of the devices that need unencrypted DMA (default 0x1234, QEMU)");

static ushort device = 0x11e8;
module_param(device, ushort, 0444);
MODULE_PARM_DESC(device, "PCI device ID of the devices that need unencrypted DMA (default 0x11e8, edu)");

static atomic_long_t emul_calls;
static atomic_long_t emul_forced;
static struct dentry *emul_debugfs;
static DEFINE_MUTEX(emul_lock);		/* emul_private_result */
static char emul_private_result[128] = "not run\n";

static bool emul_targets(struct device *dev)
{
	struct pci_dev *pdev;

	if (!dev || !dev_is_pci(dev))
		return false;
	pdev = to_pci_dev(dev);
	return pdev->vendor == vendor && pdev->device == device;
}

/* ---- The probe ----------------------------------------------------------- */

struct emul_call {
	struct device *dev;
};

static int emul_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct emul_call *call = (struct emul_call *)ri->data;

	call->dev = (struct device *)regs_get_kernel_argument(regs, 0);
	return 0;
}

static int emul_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct emul_call *call = (struct emul_call *)ri->data;

	atomic_long_inc(&emul_calls);
	if (emul_targets(call->dev)) {
		regs_set_return_value(regs, 1);
		atomic_long_inc(&emul_forced);
	}
	return 0;
}

static struct kretprobe emul_probe = {
	.kp.symbol_name = "force_dma_unencrypted",
	.entry_handler = emul_entry,
	.handler = emul_return,
	.data_size = sizeof(struct emul_call),
	.maxactive = 64,
};

/* ---- Checks ---------------------------------------------------------------- */

static struct pci_dev *emul_next_target(struct pci_dev *from)
{
	return pci_get_device(vendor, device, from);
}

/* Map a fresh page for @dev with @attrs; describe what the DMA layer did. */
static void emul_map_page(char *out, size_t size, struct device *dev,
			  unsigned long attrs)
{
	struct page *page = alloc_page(GFP_KERNEL);
	phys_addr_t phys;
	dma_addr_t dma;

	if (!page) {
		snprintf(out, size, "no memory");
		return;
	}
	phys = page_to_phys(page);
	dma = dma_map_page_attrs(dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE, attrs);
	if (dma_mapping_error(dev, dma)) {
		snprintf(out, size, "failed");
	} else {
		snprintf(out, size, "%s dma=%pad phys=%pa",
			 dma == phys ? "direct" : "moved", &dma, &phys);
		dma_unmap_page_attrs(dev, dma, PAGE_SIZE, DMA_TO_DEVICE, attrs);
	}
	__free_page(page);
}

static int emul_check_show(struct seq_file *s, void *unused)
{
	struct pci_dev *pdev = NULL;
	char result[96];

	while ((pdev = emul_next_target(pdev))) {
		seq_printf(s, "%s max_mapping_size=%zu", pci_name(pdev),
			   dma_max_mapping_size(&pdev->dev));
#ifdef DMA_ATTR_CC_SHARED
		emul_map_page(result, sizeof(result), &pdev->dev, DMA_ATTR_CC_SHARED);
		seq_printf(s, " cc_shared_map=%s", result);
#endif
		seq_puts(s, "\n");
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(emul_check);

static int emul_stats_show(struct seq_file *s, void *unused)
{
	/* No free instance (nmissed), or the kprobe itself reentered. */
	seq_printf(s, "calls: %ld\nforced: %ld\nmissed: %lu\n",
		   atomic_long_read(&emul_calls), atomic_long_read(&emul_forced),
		   (unsigned long)emul_probe.nmissed + emul_probe.kp.nmissed);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(emul_stats);

static ssize_t emul_private_read(struct file *file, char __user *buf,
				 size_t count, loff_t *ppos)
{
	char result[sizeof(emul_private_result)];

	mutex_lock(&emul_lock);
	strscpy(result, emul_private_result, sizeof(result));
	mutex_unlock(&emul_lock);
	return simple_read_from_buffer(buf, count, ppos, result, strlen(result));
}

static ssize_t emul_private_write(struct file *file, const char __user *buf,
				  size_t count, loff_t *ppos)
{
	struct pci_dev *pdev = emul_next_target(NULL);
	char result[96];

	if (!pdev)
		return -ENODEV;
	emul_map_page(result, sizeof(result), &pdev->dev, 0);
	mutex_lock(&emul_lock);
	snprintf(emul_private_result, sizeof(emul_private_result), "%s %s\n",
		 pci_name(pdev), result);
	mutex_unlock(&emul_lock);
	pci_dev_put(pdev);
	return count;
}

static const struct file_operations emul_private_fops = {
	.owner = THIS_MODULE,
	.read = emul_private_read,
	.write = emul_private_write,
	.llseek = default_llseek,
};

static int __init emul_init(void)
{
	int ret;

	ret = register_kretprobe(&emul_probe);
	if (ret) {
		pr_err("ccshared_coco_emul: cannot probe force_dma_unencrypted (%d)\n", ret);
		return ret;
	}

	emul_debugfs = debugfs_create_dir("ccshared_coco_emul", NULL);
	debugfs_create_file("stats", 0444, emul_debugfs, NULL, &emul_stats_fops);
	debugfs_create_file("check", 0400, emul_debugfs, NULL, &emul_check_fops);
	debugfs_create_file("map_private", 0600, emul_debugfs, NULL, &emul_private_fops);

	pr_warn("ccshared_coco_emul: PCI %04x:%04x now need unencrypted DMA (test emulation of a confidential guest)\n",
		vendor, device);
	add_taint(TAINT_USER, LOCKDEP_STILL_OK);
	return 0;
}

static void __exit emul_exit(void)
{
	debugfs_remove(emul_debugfs);
	unregister_kretprobe(&emul_probe);
	pr_info("ccshared_coco_emul: unloaded (%ld calls, %ld forced)\n",
		atomic_long_read(&emul_calls), atomic_long_read(&emul_forced));
}

module_init(emul_init);
module_exit(emul_exit);

MODULE_DESCRIPTION("Test only: emulate a confidential guest's DMA path for chosen PCI devices");
MODULE_LICENSE("GPL");
