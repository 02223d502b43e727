// SPDX-License-Identifier: GPL-2.0
/*
 * A module that does nothing but prove the test bed end to end: that
 * meson and Kbuild build it for each target kernel, that it loads in that
 * kernel inside the guest with the parameter it was given, and that it
 * unloads again.
 */
#include <linux/module.h>
#include <linux/printk.h>

static char *greeting = "hello";
module_param(greeting, charp, 0444);
MODULE_PARM_DESC(greeting, "Word logged at load and unload, to check parameter passing");

static int __init ccshared_smoke_init(void)
{
	pr_info("ccshared_smoke: loaded: %s\n", greeting);
	return 0;
}

static void __exit ccshared_smoke_exit(void)
{
	pr_info("ccshared_smoke: unloaded: %s\n", greeting);
}

module_init(ccshared_smoke_init);
module_exit(ccshared_smoke_exit);

MODULE_DESCRIPTION("ccshared test-bed smoke module");
MODULE_LICENSE("GPL");
