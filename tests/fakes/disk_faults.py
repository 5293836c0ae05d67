"""A full disk and a read-only filesystem, for one child process, from the kernel itself.

Tests run as root, where `chmod` stops nothing, and may not mount anything. So the faults are
set up in the child between fork and exec (`preexec_fn`), with two kernel features that
hold for root too and touch nothing outside that process:

- `full_disk`: RLIMIT_FSIZE of 0 bytes (SIGXFSZ ignored), so every write that would grow a
  file fails with EFBIG, "File too large", as a full disk fails it with ENOSPC: appends to
  the audit log, SQLite's journal and WAL, new files. Reading and rewriting nothing work.
- `read_only_filesystem`: a Landlock ruleset (Linux 5.13+) that handles every write right
  and grants none (but to /dev, for /dev/null), so opening any file for writing, creating,
  removing or truncating one fails with EACCES: what a read-only volume (or a data dir the
  process may not write) answers. Already open descriptors (the pipes to the test) work.
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import signal
import struct

__all__ = ["full_disk", "landlock_available", "read_only_filesystem"]

# x86_64 and aarch64 share these syscall numbers (asm-generic).
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38
# LANDLOCK_ACCESS_FS_*: every right that changes the filesystem.
_WRITE_FILE = 1 << 1
_WRITE_RIGHTS = (
    _WRITE_FILE
    | (1 << 4)  # REMOVE_DIR
    | (1 << 5)  # REMOVE_FILE
    | (1 << 6)  # MAKE_CHAR
    | (1 << 7)  # MAKE_DIR
    | (1 << 8)  # MAKE_REG
    | (1 << 9)  # MAKE_SOCK
    | (1 << 10)  # MAKE_FIFO
    | (1 << 11)  # MAKE_BLOCK
    | (1 << 12)  # MAKE_SYM
    | (1 << 13)  # REFER (ABI 2)
    | (1 << 14)  # TRUNCATE (ABI 3)
)


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def landlock_available() -> bool:
    """True when the kernel offers Landlock with truncation control (ABI 3 or later)."""
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "aarch64"):
        return False
    abi = _libc().syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return bool(abi >= 3)


def full_disk() -> None:
    """preexec_fn: no file of this process may grow past its current size (0 bytes more)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, hard))


def read_only_filesystem() -> None:
    """preexec_fn: this process may read everything and write nothing but /dev."""
    libc = _libc()
    attr = struct.pack("=Q", _WRITE_RIGHTS)
    ruleset = libc.syscall(_CREATE_RULESET, attr, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    dev = os.open("/dev", os.O_PATH | os.O_DIRECTORY)
    rule = struct.pack("=Qi", _WRITE_FILE, dev)  # packed: u64 allowed_access, s32 parent_fd
    if libc.syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, rule, ctypes.c_uint32(0)) < 0:
        raise OSError(ctypes.get_errno(), "landlock_add_rule failed")
    os.close(dev)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.syscall(_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)) < 0:
        raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    os.close(ruleset)
