// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ccshared_slab_create()'s size arithmetic, without an RDMA device: the
 * slab's size is count times the slice size rounded up to
 * CCSHARED_SLAB_ALIGN, and the largest buffer is SIZE_MAX rounded down to
 * a page.  At the limit the slab reaches the allocation (the fixture's
 * "heap" is a plain file, so that is -ENOTTY, and the PD is never used);
 * one byte beyond it is -ERANGE, before anything is allocated.
 *
 * Also, against a fake device context (libibverbs' ibv_query_device_ex()
 * is an inline that calls the context's op): which bit of
 * device_cap_flags_ex ccshared_verbs_plain_mr_refused() reads, with
 * rdma-core 56's headers (no name for it) and 65's; and, with 65,
 * ccshared_verbs_import_ibv_buf() on buffers whose dma-buf is a memfd or
 * absent.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ccshared-verbs.h"
#include "tap.h"		/* tests/lib/tap.h */

static uint64_t fake_flags;
static int fake_ret;

static int fake_query_device_ex(struct ibv_context *context,
				const struct ibv_query_device_ex_input *input,
				struct ibv_device_attr_ex *attr, size_t attr_size)
{
	(void)context;
	(void)input;
	(void)attr_size;
	attr->device_cap_flags_ex = fake_flags;
	return fake_ret;
}

static void test_plain_mr_refused(void)
{
	static const struct {
		uint64_t flags;
		int ret, want;
		bool refused;
		const char *what;
	} cases[] = {
		{ 1ULL << 41, 0, 0, true, "bit 41 (IB_UVERBS_DEVICE_CC_DMA_BOUNCE) alone" },
		{ ~0ULL, 0, 0, true, "every bit" },
		{ 0, 0, 0, false, "no bit" },
		{ 1ULL << 40, 0, 0, false, "bit 40 (ATOMIC_WRITE), one below" },
		{ 1ULL << 42, 0, 0, false, "bit 42, one above" },
		{ ~(1ULL << 41), 0, 0, false, "every bit but 41" },
		{ 1ULL << 41, EIO, -EIO, false, "the query fails with EIO" },
	};
	struct verbs_context vctx;
	bool refused;

	memset(&vctx, 0, sizeof(vctx));
	vctx.sz = sizeof(vctx);
	vctx.context.abi_compat = __VERBS_ABI_IS_EXTENDED;
	vctx.query_device_ex = fake_query_device_ex;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_flags = cases[i].flags;
		fake_ret = cases[i].ret;
		refused = !cases[i].refused;
		is_int(ccshared_verbs_plain_mr_refused(&vctx.context, &refused), cases[i].want,
		       "plain_mr_refused, %s: returns %d", cases[i].what, cases[i].want);
		if (!cases[i].ret)
			ok(refused == cases[i].refused, "... refused is %s",
			   cases[i].refused ? "true" : "false");
	}
	is_int(ccshared_verbs_plain_mr_refused(NULL, &refused), -EINVAL, "plain_mr_refused: NULL context");
	is_int(ccshared_verbs_plain_mr_refused(&vctx.context, NULL), -EINVAL, "plain_mr_refused: NULL result");
}

#ifdef CCSHARED_HAVE_IBV_EXPORT_BUF_DMABUF_FD
/*
 * rdma-core 65's struct ibv_buf (libibverbs/driver.h, for providers only):
 * ibv_export_buf_dmabuf_fd() reads dmabuf_fd, -1 when not a dma-buf.
 */
struct fake_ibv_buf {
	void *addr;
	size_t size;
	struct ibv_pd *pd;
	int dmabuf_fd;
};

static void test_import_ibv_buf(void)
{
	struct fake_ibv_buf fake = { .dmabuf_fd = -1 };
	struct ccshared_buf *buf = NULL;
	int memfd;

	is_int(ccshared_verbs_import_ibv_buf((struct ibv_buf *)&fake, &buf), -ENODATA,
	       "import: a buffer without a dma-buf: -ENODATA");
	ok(strstr(ccshared_verbs_strerror(-ENODATA), "not a dma-buf"),
	   "... explained: %s", ccshared_verbs_strerror(-ENODATA));
	memfd = memfd_create("fake-dmabuf", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, 3 * 4096))
		tap_bail("memfd_create: %s", strerror(errno));
	fake.dmabuf_fd = memfd;
	is_int(ccshared_verbs_import_ibv_buf((struct ibv_buf *)&fake, &buf), 0,
	       "import: a buffer with a (memfd) dma-buf");
	ok(buf && ccshared_buf_fd(buf) != memfd && ccshared_buf_size(buf) == 3 * 4096,
	   "... a new fd, the buffer's size");
	ccshared_buf_free(buf);
	ok(fcntl(memfd, F_GETFD) >= 0, "... freeing it leaves the ibv_buf's fd open");
	close(memfd);
	fake.dmabuf_fd = memfd;	/* closed now */
	buf = NULL;
	is_int(ccshared_verbs_import_ibv_buf((struct ibv_buf *)&fake, &buf), -EBADF,
	       "import: a closed fd: -EBADF");
	ok(!buf, "... no buffer came back");
}
#else
static void test_import_ibv_buf(void)
{
	struct ccshared_buf *buf = NULL;
	char fake[64] = { 0 };

	is_int(ccshared_verbs_import_ibv_buf((struct ibv_buf *)fake, &buf), -ENOSYS,
	       "import without rdma-core 65: -ENOSYS");
	ok(strstr(ccshared_verbs_strerror(-ENOSYS), "65 or later"),
	   "... explained: %s", ccshared_verbs_strerror(-ENOSYS));
}
#endif

int main(int argc, char **argv)
{
	const size_t max = SIZE_MAX - (size_t)sysconf(_SC_PAGESIZE) + 1;
	const struct {
		size_t slice;
		uint32_t count;
		int want;
		const char *what;
	} cases[] = {
		{ max - CCSHARED_SLAB_ALIGN, 1, -ENOTTY, "1 slice 64 bytes below the largest buffer" },
		{ max - CCSHARED_SLAB_ALIGN + 1, 1, -ENOTTY, "1 slice rounded up to the largest buffer" },
		{ max, 1, -ENOTTY, "1 slice of the largest buffer" },
		{ max + 1, 1, -ERANGE, "1 slice of the largest buffer + 1" },
		{ SIZE_MAX, 1, -ERANGE, "1 slice of SIZE_MAX (rounding would wrap)" },
		{ max / 2 - CCSHARED_SLAB_ALIGN, 2, -ENOTTY, "2 slices, 64 bytes below the largest buffer each" },
		{ max / 2, 2, -ENOTTY, "2 slices that fill the largest buffer" },
		{ max / 2 + 1, 2, -ERANGE, "2 slices, one byte more each (64 after rounding)" },
		{ max / UINT32_MAX + CCSHARED_SLAB_ALIGN, UINT32_MAX, -ERANGE,
		  "UINT32_MAX slices whose product wraps" },
		{ 0, 1, -EINVAL, "a slice of 0 bytes" },
		{ 64, 0, -EINVAL, "0 slices" },
	};
	const char *testdata = argc > 1 ? argv[1] : "testdata";
	struct ccshared_slab *slab = NULL;
	struct ccshared_buf *slab_buf = NULL;
	struct ccshared_heap *heap;
	struct ibv_pd pd;
	char root[PATH_MAX];

	memset(&pd, 0, sizeof(pd));
	snprintf(root, sizeof(root), "%s/sev-snp", testdata);
	if (ccshared_heap_open_at(root, NULL, 0, &heap))
		tap_bail("Couldn't open the fixture heap in %s", root);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(ccshared_slab_create(&pd, heap, cases[i].slice, cases[i].count,
					    IBV_ACCESS_LOCAL_WRITE, &slab),
		       cases[i].want, "%s: %zu x %u", cases[i].what, cases[i].slice, cases[i].count);
	ok(slab == NULL, "no slab came back");
	is_int(ccshared_slab_create(NULL, heap, 64, 1, 0, &slab), -EINVAL, "a NULL PD");
	ccshared_heap_close(heap);

	test_plain_mr_refused();
	is_int(ccshared_verbs_import_ibv_buf(NULL, &slab_buf), -EINVAL, "import: NULL ibv_buf");
	is_int(ccshared_verbs_import_ibv_buf((struct ibv_buf *)&pd, NULL), -EINVAL, "import: NULL result");
	test_import_ibv_buf();
	return tap_done();
}
