/* SPDX-License-Identifier: GPL-2.0 */
/* The host glue's interface: plain C types only, usable without the core. */
#ifndef _VMASHADOW_HOST_GLUE_H
#define _VMASHADOW_HOST_GLUE_H

#include <stddef.h>

void vms_host_set_rules(unsigned int rules);
unsigned int vms_host_rules(void);
int vms_host_open(void);
void vms_host_close(int fd);
long vms_host_ioctl(int fd, unsigned long cmd, void *arg);
long vms_host_read_maps(int fd, char *buf, size_t size);

#endif
