/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The QMP client on a socket already connected (not an API): what the fuzz
 * target of the QMP framing speaks through, one end of a socketpair whose
 * other end holds the peer's bytes.
 */
#pragma once

#include "tceiommu/qmp.h"

/* As tce_qmp_open, on fd (a connected, non-blocking stream socket, taken:
 * closed by tce_qmp_close or on failure). */
int tce_qmp_open_fd(int fd, int timeout_ms, struct tce_qmp **ret, char **ret_error);
