/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP for every C test of the project: the host unit tests (userspace/) and
 * the guest tests (tests/guest/).  Each line is flushed as it is printed, so
 * a test that dies still shows how far it got.
 *
 * A test either announces its plan first (tap_plan) and tap_done() then
 * fails it if it printed a different number of results, or it announces
 * none and tap_done() prints the plan at the end.  Return tap_done() from
 * main().
 *
 * A skip's reason starts with one of the categories below; the suite
 * (tests/lib/run-producers) fails any other skip.  A check that cannot run
 * because something it needs is missing or broken is a failure (tap_ok
 * false, or tap_bail), never a skip.
 */
#ifndef CCSHARED_TESTS_TAP_H
#define CCSHARED_TESTS_TAP_H

#include <stdbool.h>

/* The test does not apply to this kernel or configuration. */
#define TAP_BY_DESIGN "by design: "
/* The hardware it needs is not there. */
#define TAP_HARDWARE_ABSENT "hardware absent: "

void tap_plan(int n);
bool tap_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_skip(const char *reason, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tap_skip_all(const char *reason) __attribute__((noreturn));
void tap_bail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
int tap_done(void);

/* The result line, then where a failed check is and what it was. */
bool tap_check(bool cond, const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* The result line, then both values (and an errno's name) if they differ. */
bool tap_is_int(long long got, long long want, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * A result that is expected to fail, for a known fault in code that is not
 * ours (a kernel's): "not ok ... # TODO @todo", which fails nothing, when
 * @cond is false; "ok ... # TODO @todo" when it is true, which fails the
 * test (and the suite: an expected failure that passes must be looked at).
 */
bool tap_todo(bool cond, const char *todo, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define ok(cond, ...) tap_check(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)
#define is_int(got, want, ...) tap_is_int((got), (want), __FILE__, __LINE__, __VA_ARGS__)

#endif /* CCSHARED_TESTS_TAP_H */
