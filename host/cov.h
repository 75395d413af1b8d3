/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Coverage build only: kselftest's harness ends each forked test with
 * _exit(), which skips gcov's exit handler; dump the counts first.
 */
#include <unistd.h>
extern void __gcov_dump(void);
#define _exit(x) (__gcov_dump(), _exit(x))
