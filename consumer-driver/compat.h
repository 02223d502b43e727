/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels ccshared_edu builds for, in one place.
 *
 * 7.x renamed the importer's invalidation callback in struct
 * dma_buf_attach_ops from move_notify to invalidate_mappings; the meaning
 * (the exporter is about to move or revoke the buffer; the reservation
 * lock is held) did not change.  Kbuild tells which one this kernel has
 * from the exported dma_buf_invalidate_mappings().
 */
#ifndef _CCSHARED_EDU_COMPAT_H
#define _CCSHARED_EDU_COMPAT_H

#ifdef CCSHARED_EDU_HAVE_INVALIDATE_MAPPINGS
#define EDU_ATTACH_OPS_INVALIDATE	invalidate_mappings
#else
#define EDU_ATTACH_OPS_INVALIDATE	move_notify
#endif

/* kzalloc_obj() arrived in 7.0; 6.12 has only the long form. */
#ifndef kzalloc_obj
#define kzalloc_obj(p)	kzalloc(sizeof(p), GFP_KERNEL)
#endif

#endif /* _CCSHARED_EDU_COMPAT_H */
