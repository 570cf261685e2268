"""Take network access away from the current process: a query worker must never open a connection.

Oxigraph evaluates ``SERVICE`` by an HTTP request and pyoxigraph cannot be told not to. The
SPARQL guard (:mod:`imtkg.rdf.sparql_guard`) refuses such queries before they run; this is the
second wall, so that a query the guard misreads still cannot reach the network. :func:`drop_network`
installs a seccomp filter (Linux, x86-64 or AArch64; no privilege needed once the process sets
``no_new_privs``) under which ``socket()`` fails with ``EPERM`` for every address family but
``AF_UNIX`` (the worker's pipe to its parent is an ``AF_UNIX`` socket pair, opened before) and
``io_uring_setup`` fails likewise (io_uring can open sockets without the ``socket`` call). Where
seccomp is not available it tries ``unshare(CLONE_NEWNET)`` (root, or unprivileged user
namespaces), which leaves the process only a loopback interface of its own, with nothing
listening on it. When neither works it says so and the guard stands alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import platform
import struct

# prctl(2) and seccomp(2)
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
CLONE_NEWNET = 0x40000000
AF_UNIX = 1

# classic BPF opcodes
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_RET_K = 0x06

#: per machine: (AUDIT_ARCH_*, socket, io_uring_setup, seccomp, lowest number of another ABI)
_ARCHES = {
    "x86_64": (0xC000003E, 41, 425, 317, 0x40000000),  # x32 calls have bit 30 set
    "aarch64": (0xC00000B7, 198, 425, 277, None),
}


def _filter(arch: int, socket_nr: int, uring_nr: int, foreign: int | None) -> bytes:
    """Return the BPF program: deny non-``AF_UNIX`` sockets, io_uring and foreign ABIs."""
    deny = SECCOMP_RET_ERRNO | errno.EPERM
    program = [
        (_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (_JEQ_K, 1, 0, arch),
        (_RET_K, 0, 0, deny),  # another ABI (i386 int 0x80...): nothing the worker needs
        (_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
    ]
    if foreign is not None:
        program += [(_JGE_K, 0, 1, foreign), (_RET_K, 0, 0, deny)]
    program += [
        (_JEQ_K, 0, 4, socket_nr),  # socket(): test its family; other calls: 4 further on
        (_LD_W_ABS, 0, 0, 16),  # args[0], the address family (low half, little-endian)
        (_JEQ_K, 0, 1, AF_UNIX),
        (_RET_K, 0, 0, SECCOMP_RET_ALLOW),
        (_RET_K, 0, 0, deny),
        (_JEQ_K, 0, 1, uring_nr),
        (_RET_K, 0, 0, deny),
        (_RET_K, 0, 0, SECCOMP_RET_ALLOW),
    ]
    return b"".join(struct.pack("HBBI", *instruction) for instruction in program)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def _seccomp(libc: ctypes.CDLL) -> None:
    """Install the filter on every thread of the process; raise ``OSError`` when refused."""
    machine = platform.machine()
    if os.name != "posix" or machine not in _ARCHES:
        raise OSError(errno.ENOSYS, f"no seccomp filter for {platform.system()} {machine}")
    arch, socket_nr, uring_nr, seccomp_nr, foreign = _ARCHES[machine]
    code = _filter(arch, socket_nr, uring_nr, foreign)
    buffer = ctypes.create_string_buffer(code, len(code))
    program = _SockFprog(len(code) // 8, ctypes.addressof(buffer))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    # seccomp(2) with TSYNC covers threads already running (RocksDB's, if any); prctl does not
    done = libc.syscall(
        seccomp_nr, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, ctypes.byref(program)
    )
    if done != 0:
        if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "seccomp filter refused")


def _unshare(libc: ctypes.CDLL) -> None:
    if libc.unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET) failed")


def drop_network() -> str:
    """Make the current process unable to open network connections; return how, or why not.

    :returns: ``"seccomp"`` or ``"netns"`` when done, else a sentence saying why not (the
        caller logs it: the process then keeps its network access).
    """
    try:
        libc = _libc()
    except OSError as exc:
        return f"cannot load the C library: {exc}"
    reasons = []
    for name, method in (("seccomp", _seccomp), ("netns", _unshare)):
        try:
            method(libc)
            return name
        except (OSError, AttributeError) as exc:
            reasons.append(f"{name}: {exc.strerror if isinstance(exc, OSError) else exc}")
    return "; ".join(reasons)


def network_dropped(result: str) -> bool:
    """Tell whether a :func:`drop_network` result means the network is gone."""
    return result in ("seccomp", "netns")
