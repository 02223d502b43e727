# SPDX-License-Identifier: GPL-2.0
#
# usage: make -f provider.mk SRC=RDMA_CORE_TREE OUT=DIR
#
# Build rdma-core's rxe provider alone, librxe-rdmav<PABI>.so, from a
# (patched) rdma-core source tree, against the installed libibverbs.  Only
# the tree's headers are used besides providers/rxe/rxe.c; the private
# provider ABI version comes from the tree, which must therefore be the
# exact version of the installed libibverbs1.  This stands in for the
# project's cmake build, which would build all of rdma-core.

PABI := $(shell sed -n 's/^set(IBVERBS_PABI_VERSION "\([0-9]*\)")/\1/p' $(SRC)/CMakeLists.txt)
VERSION := $(shell sed -n 's/^set(PACKAGE_VERSION "\([^"]*\)")/\1/p' $(SRC)/CMakeLists.txt)
LIBDIR := /usr/lib/$(shell gcc -print-multiarch)

LIB := $(OUT)/librxe-rdmav$(PABI).so
INC := $(OUT)/include
HEADERS := $(INC)/config.h $(INC)/.links \
	$(INC)/kernel-abi/ib_user_verbs.h $(INC)/kernel-abi/rdma_user_rxe.h

CFLAGS := -O2 -g -fPIC -std=gnu11 -Wall -Werror -Wno-unused-parameter \
	-I$(INC) -I$(SRC) -I$(SRC)/providers/rxe
LDFLAGS := -shared -Wl,-z,defs -Wl,--version-script=$(SRC)/buildlib/provider.map

$(LIB): $(SRC)/providers/rxe/rxe.c $(HEADERS)
	gcc $(CFLAGS) $(LDFLAGS) -o $@ $< -libverbs -lpthread

# The few settings of cmake's config.h that the provider's headers read.
$(INC)/config.h: $(SRC)/CMakeLists.txt
	mkdir -p $(INC)
	{ \
	echo '#define HAVE_STATEMENT_EXPR 1'; \
	echo '#define HAVE_BUILTIN_TYPES_COMPATIBLE_P 1'; \
	echo '#define HAVE_TYPEOF 1'; \
	echo '#define HAVE_ISBLANK 1'; \
	echo '#define HAVE_BUILTIN_CLZ 1'; \
	echo '#define HAVE_BUILTIN_CLZL 1'; \
	echo '#define HAVE_FUNC_ATTRIBUTE_ALWAYS_INLINE 1'; \
	echo '#define HAVE_FUNC_ATTRIBUTE_IFUNC 1'; \
	echo '#define HAVE_FUNC_ATTRIBUTE_SYMVER 1'; \
	echo '#define HAVE_WORKING_IF_H 1'; \
	echo '#define HAVE_FULL_SYMBOL_VERSIONS 1'; \
	echo '#define PACKAGE_VERSION "$(VERSION)"'; \
	echo '#define STREAM_CLOEXEC "e"'; \
	echo '#define RDMA_CDEV_DIR "/dev/infiniband"'; \
	echo '#define IBV_CONFIG_DIR "/etc/libibverbs.d"'; \
	echo '#define VERBS_PROVIDER_DIR "$(LIBDIR)/libibverbs"'; \
	echo '#define VERBS_PROVIDER_SUFFIX "-rdmav$(PABI).so"'; \
	echo '#define IBVERBS_PABI_VERSION $(PABI)'; \
	echo '#define SIZEOF_LONG 8'; \
	echo '#define VERBS_IOCTL_ONLY 0'; \
	echo '#define VERBS_WRITE_ONLY 0'; \
	} >$@

# The include layout cmake publishes: <infiniband/...> from libibverbs,
# <rdma/...> from the tree's copy of the kernel's uapi headers.
$(INC)/.links:
	mkdir -p $(INC)
	ln -sfn $(SRC)/libibverbs $(INC)/infiniband
	ln -sfn $(SRC)/kernel-headers/rdma $(INC)/rdma
	touch $@

$(INC)/kernel-abi/%.h: $(SRC)/kernel-headers/rdma/%.h
	mkdir -p $(INC)/kernel-abi
	python3 $(SRC)/buildlib/make_abi_structs.py $< $@
