#!/usr/bin/env python3
"""common/ reaches the architecture only through include/lamina/arch.h.

From the hypervisor's objects (nm): every symbol a common/ object uses
that an arch/ object defines must be declared in lamina/arch.h, or be
listed in tests/arch_boundary_todo.txt, the crossings still to be moved
behind the interface. The list may only shrink: an entry that no longer
crosses fails too, so it is taken out when its crossing is gone.

    tests/arch_boundary.py [BUILD]      (also run by `make test`)
"""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARCH_H = os.path.join(ROOT, "hypervisor", "include", "lamina", "arch.h")
TODO = os.path.join(ROOT, "tests", "arch_boundary_todo.txt")


def nm(path, *flags):
    """Symbol lines of one object."""
    out = subprocess.run(["nm", *flags, path], capture_output=True,
                         text=True, check=True)
    return out.stdout.splitlines()


def objects(directory):
    """The .o files directly in directory."""
    return sorted(os.path.join(directory, f) for f in os.listdir(directory)
                  if f.endswith(".o"))


def crossings(build):
    """{(common object, symbol)} used by common/ and defined in arch/."""
    hv = os.path.join(build, "hypervisor")
    arch_defs = set()
    for d in (os.path.join(hv, "arch", "x86"), os.path.join(hv, "arch", "x86", "pv")):
        for obj in objects(d):
            for line in nm(obj, "--defined-only"):
                parts = line.split()
                if len(parts) == 3 and parts[1] in "TDBRtdbr" and parts[1].isupper():
                    arch_defs.add(parts[2])
    found = set()
    for obj in objects(os.path.join(hv, "common")):
        for line in nm(obj, "-u"):
            sym = line.split()[-1]
            if sym in arch_defs:
                found.add((os.path.basename(obj)[:-2], sym))
    return found


def interface_names():
    """Function names declared in lamina/arch.h."""
    with open(ARCH_H) as f:
        return set(re.findall(r"\b(arch_\w+)\s*\(", f.read()))


def todo_entries():
    """(object, symbol) pairs of the to-do list."""
    entries = set()
    with open(TODO) as f:
        for line in f:
            line = line.split("#")[0].strip()
            if line:
                obj, sym = line.split()
                entries.add((obj, sym))
    return entries


def main(argv):
    build = argv[1] if len(argv) > 1 else os.path.join(ROOT, "build")
    found = crossings(build)
    allowed = interface_names()
    todo = todo_entries()
    failures = 0
    for obj, sym in sorted(found):
        ok = sym in allowed or (obj, sym) in todo
        failures += not ok
        print(f"{'PASS' if ok else 'FAIL'} crossing_{obj}_{sym}" +
              ("" if ok else f": common/{obj}.c uses {sym} from arch/ "
               "outside include/lamina/arch.h"))
    for obj, sym in sorted(todo - found):
        failures += 1
        print(f"FAIL todo_{obj}_{sym}: no longer crosses; take it off "
              "tests/arch_boundary_todo.txt")
    through = sum(1 for _, sym in found if sym in allowed)
    print(f"PASS summary: {through} crossings through arch.h, "
          f"{len(found) - through} still to move")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main(sys.argv)
