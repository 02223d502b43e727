/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Minimal TAP for the unit tests: one line per check, the plan at the end. */
#ifndef CCSHARED_TAP_H
#define CCSHARED_TAP_H

#include <stdio.h>

static int tap_count, tap_failed;

#define ok(cond, ...) do {						\
	int tap_ok_ = !!(cond);						\
	tap_count++;							\
	tap_failed += !tap_ok_;						\
	printf("%sok %d - ", tap_ok_ ? "" : "not ", tap_count);		\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!tap_ok_)							\
		printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
} while (0)
#define is_int(got, want, ...) do {					\
	long long tap_got_ = (got), tap_want_ = (want);			\
	ok(tap_got_ == tap_want_, __VA_ARGS__);				\
	if (tap_got_ != tap_want_)					\
		printf("#   got %lld, want %lld\n", tap_got_, tap_want_); \
} while (0)
#define tap_done() (printf("1..%d\n", tap_count), tap_failed ? 1 : 0)

#endif /* CCSHARED_TAP_H */
