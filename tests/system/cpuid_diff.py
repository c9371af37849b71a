#!/usr/bin/env python3
"""Run tests/guests/cpuid_dump.elf on Lamina and on Xen 4.17 and diff them.

usage: tests/system/cpuid_diff.py --build DIR

Both runs use QEMU TCG -cpu max with 1 GiB of RAM. Every register of every
leaf either side prints is compared (a leaf one side does not print reads
as zero there, as out-of-range leaves do). Each difference must be listed in
tests/system/cpuid_xen_differences.txt (documented in docs/abi.md) with the
values both sides show; prints "PASS leaf/reg" or "FAIL leaf/reg: why" per
compared register that differs or is listed, then "PASS cpuid_matches_xen"
or a FAIL. "SKIP cpuid_matches_xen: why" when Xen cannot be fetched.
"""

import argparse
import os
import re
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xen_ref  # noqa: E402

ROOT = xen_ref.ROOT
KNOWN = os.path.join(ROOT, "tests", "system", "cpuid_xen_differences.txt")
LINE = re.compile(r"^(?:\(d0\) )?cpuid ([0-9a-f]{8}\.[0-9a-f]+): "
                  r"([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8})")
REGS = ("eax", "ebx", "ecx", "edx")
MEMORY = "1024M"


def parse(lines):
    """{leaf.subleaf: (eax, ebx, ecx, edx)} from cpuid_dump's output."""
    leaves = {}
    for line in lines:
        m = LINE.match(line)
        if m:
            leaves[m.group(1)] = tuple(int(m.group(i), 16) for i in range(2, 6))
    return leaves


def load_known(path=KNOWN):
    """{(leaf, reg): (mask, lamina, xen, why)} from the differences file."""
    known = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            leaf, reg, mask, lam, xen, why = line.split(None, 5)
            known[(leaf, reg)] = (int(mask, 16), int(lam, 16), int(xen, 16), why)
    return known


def compare(lamina, xen, known):
    """Result lines ("PASS x" / "FAIL x: why") and whether all passed."""
    out, ok = [], True
    for leaf in sorted(set(lamina) | set(xen)):
        lv, xv = lamina.get(leaf, (0,) * 4), xen.get(leaf, (0,) * 4)
        for i, reg in enumerate(REGS):
            name = f"{leaf}/{reg}"
            diff = lv[i] ^ xv[i]
            entry = known.get((leaf, reg))
            if entry is None:
                if diff:
                    ok = False
                    out.append(f"FAIL {name}: Lamina {lv[i]:08x}, Xen {xv[i]:08x}"
                               f" (bits {diff:08x} differ, not in {os.path.basename(KNOWN)})")
                continue
            mask, lam, xn, _ = entry
            if diff & ~mask:
                ok = False
                out.append(f"FAIL {name}: bits {diff & ~mask:08x} differ beyond "
                           f"the listed {mask:08x} (Lamina {lv[i]:08x}, Xen {xv[i]:08x})")
            elif (lv[i] & mask) != lam or (xv[i] & mask) != xn:
                ok = False
                out.append(f"FAIL {name}: listed bits {mask:08x} read Lamina "
                           f"{lv[i] & mask:08x}, Xen {xv[i] & mask:08x}; the list says "
                           f"{lam:08x}, {xn:08x}")
            else:
                out.append(f"PASS {name}")
    return out, ok


def run_lamina(build, result):
    cmd = [os.path.join(ROOT, "tools", "run"), "--accel", "tcg",
           "--hypervisor", os.path.join(build, "hypervisor", "lamina.elf"),
           "--memory", MEMORY, "--timeout", "120",
           "--module", os.path.join(build, "tests", "guests", "cpuid_dump.elf")]
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, errors="replace", cwd=ROOT)
    result["lamina"] = r.stdout.replace("\r", "").splitlines()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default="build")
    a = p.parse_args()
    result = {}
    t = threading.Thread(target=run_lamina, args=(a.build, result))
    t.start()
    try:
        xen_lines, seen = xen_ref.run_on_xen(
            a.build, os.path.join(a.build, "tests", "guests", "cpuid_dump.elf"),
            timeout=180)
    except xen_ref.SkipXen as e:
        t.join()
        print(f"SKIP cpuid_matches_xen: Xen 4.17 cannot be fetched ({e})")
        return 0
    t.join()
    lamina, xen = parse(result.get("lamina", [])), parse(xen_lines)
    if not lamina or not xen or not seen:
        print(f"FAIL cpuid_matches_xen: no dump (Lamina {len(lamina)} leaves, "
              f"Xen {len(xen)} leaves)")
        return 1
    lines, ok = compare(lamina, xen, load_known())
    for line in lines:
        print(line)
    print("PASS cpuid_matches_xen" if ok else
          "FAIL cpuid_matches_xen: differences not in the list (above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
