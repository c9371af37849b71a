#!/usr/bin/env python3
"""Count, per function, the instructions of one benchmark operation.

Boots Lamina (or Xen 4.17) with the benchmark guest under QEMU TCG icount,
waiting for gdb; gdb stops at the operation's first instruction in the
guest's timed loop (after --skip earlier passes, so caches and lazy state
are warm), then single-steps until the loop's `dec %r12`. Every step is one
executed instruction, exactly what rdtsc counts under -icount shift=0 (a
`rep movs` iteration is one step, as it is one icount instruction). The
steps are attributed to the functions of the hypervisor and guest ELFs
(`nm`); the total equals the row's insns_per_op.

    tools/bench/trace_path.py --row exception_bounce
    tools/bench/trace_path.py --row user_syscall --list    # every step

Rows: exception_bounce (int3 -> handler -> HYPERVISOR_iret) and user_syscall
(user syscall -> callback -> HYPERVISOR_iret(VGCF_in_syscall)). For Xen,
--xen prints addresses only (no xen-syms symbols are installed).
"""

import argparse
import bisect
import os
import socket
import subprocess
import sys
import tempfile
from collections import OrderedDict

QEMU = "qemu-system-x86_64"
XEN_CMDLINE = "console=com1 com1=115200,8n1 dom0_mem=128M,max:128M"

# Row -> how to find the operation: a guest loop symbol (the operation is
# its int3, the loop's `dec %r12` follows), or fixed user-mode addresses in
# the copy of bench_user_code (rdtsc, shl, or, mov: 12 bytes, then syscall).
USER_CODE_VA = 0x400000
ROWS = {
    "exception_bounce": ("bench_loop_int3_bounce", None, None),
    "user_syscall": (None, USER_CODE_VA + 12, USER_CODE_VA + 14),
}
XEN_TEXT = (0xffff82d040000000, 0xffff82d080000000)

GDB_SCRIPT = r"""
import gdb
gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("set architecture i386:x86-64")
gdb.execute("target remote :%(port)d")
gdb.execute("break *%(start)#x")
for _ in range(%(skip)d + 1):
    gdb.execute("continue", to_string=True)
gdb.execute("delete")
out = open("%(out)s", "w")
pc = %(start)d
for _ in range(%(max_steps)d):
    out.write("%%x\n" %% pc)
    gdb.execute("stepi", to_string=True)
    pc = int(gdb.parse_and_eval("$pc")) & (2**64 - 1)
    if pc == %(stop)d:
        break
out.close()
gdb.execute("kill")
"""


def symbols(elf):
    """Sorted [(address, name)] of the text symbols of an ELF."""
    syms = []
    for line in subprocess.run(["nm", "-n", elf], capture_output=True,
                               text=True, check=True).stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTrRwW":
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def loop_offsets(guest, loop):
    """Addresses of the int3 of a bench loop and of the instruction after."""
    addr = dict((n, a) for a, n in symbols(guest))[loop]
    dis = subprocess.run(["objdump", "-d", guest, "--start-address", hex(addr),
                          "--stop-address", hex(addr + 64)],
                         capture_output=True, text=True, check=True).stdout
    lines = [l for l in dis.splitlines() if l.startswith("ffff") and ":\t" in l]
    for i, line in enumerate(lines[:-1]):
        if line.rstrip().endswith("int3"):
            return (int(line.split(":")[0], 16),
                    int(lines[i + 1].split(":")[0], 16))
    sys.exit(f"trace: no int3 in {loop}")


def free_port():
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def trace(args, start, stop):
    """Run QEMU + gdb; return the list of executed pcs."""
    port = free_port()
    module = f"{args.guest} iterations={args.iterations}"
    if args.xen:
        cmd = ["-kernel", args.xen, "-initrd", module, "-append", XEN_CMDLINE]
    else:
        cmd = ["-kernel", args.hypervisor, "-initrd", module]
    qemu = subprocess.Popen(
        [QEMU, "-M", "pc", "-cpu", "max", "-m", "1024", "-accel", "tcg",
         "-icount", "shift=0,sleep=off", "-display", "none", "-serial",
         "null", "-monitor", "none", "-no-reboot", "-device",
         "isa-debug-exit,iobase=0xf4,iosize=0x04", "-gdb", f"tcp::{port}",
         "-S", *cmd], stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "pcs")
            script = os.path.join(tmp, "trace.py")
            with open(script, "w") as f:
                f.write(GDB_SCRIPT % dict(port=port, start=start, stop=stop,
                                          skip=args.skip, out=out,
                                          max_steps=args.max_steps))
            subprocess.run(["gdb", "-nx", "-batch", "-x", script],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=args.timeout)
            with open(out) as f:
                return [int(l, 16) for l in f if l.strip()]
    finally:
        qemu.kill()
        qemu.wait()


def function_of(pc, syms, addrs):
    """Name of the function holding pc ("?addr" inside Xen: no symbols)."""
    if USER_CODE_VA <= pc < USER_CODE_VA + 4096:
        return "(user loop)"
    if XEN_TEXT[0] <= pc < XEN_TEXT[1]:
        return f"?{pc:#x}"
    i = bisect.bisect_right(addrs, pc) - 1
    return syms[i][1] if i >= 0 else f"?{pc:#x}"


def attribute(pcs, syms):
    """OrderedDict function -> steps, in order of first appearance."""
    addrs = [a for a, _ in syms]
    counts = OrderedDict()
    for pc in pcs:
        name = function_of(pc, syms, addrs)
        counts[name] = counts.get(name, 0) + 1
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--row", choices=sorted(ROWS), required=True)
    parser.add_argument("--build", default="build")
    parser.add_argument("--xen", help="trace Xen (gunzipped image) instead")
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--skip", type=int, default=5,
                        help="passes of the loop to let run first")
    parser.add_argument("--max-steps", type=int, default=5000)
    parser.add_argument("--timeout", type=int, default=300)
    parser.add_argument("--list", action="store_true",
                        help="print every step, not just the per-function sums")
    args = parser.parse_args()
    args.hypervisor = os.path.join(args.build, "hypervisor", "lamina.elf")
    args.guest = os.path.join(args.build, "bench", "bench-guest.elf")

    loop, start, stop = ROWS[args.row]
    if loop:
        start, stop = loop_offsets(args.guest, loop)
    syms = sorted(symbols(args.guest) +
                  ([] if args.xen else symbols(args.hypervisor)))
    pcs = trace(args, start, stop)
    if args.list:
        addrs = [a for a, _ in syms]
        for pc in pcs:
            print(f"{pc:#018x} {function_of(pc, syms, addrs)}")
    for name, n in attribute(pcs, syms).items():
        print(f"{n:6d}  {name}")
    print(f"{len(pcs):6d}  total ({args.row}, one operation)")


if __name__ == "__main__":
    main()
