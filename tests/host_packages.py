#!/usr/bin/env python3
"""Every host file that the tests, `make run` and `make bench` use must come
from a Debian package that tools/install-deps installs (or one those
packages depend on, or an essential package). Otherwise a test passes on a
machine where somebody installed the file by hand and fails on a user's
fresh machine.

Checks, one PASS/FAIL line each:
  - every host command the build and the tools run (QEMU, the compiler,
    gnuplot, gdb, ...) and every absolute boot-module path in the system
    test cases is owned (dpkg -S) by such a package;
  - the ABI headers the conformance test compares with (/usr/include/xen);
  - nothing refers to a file under /boot: Xen for `make bench` is fetched
    into build/ (tools/fetch-xen), never installed, since its package
    changes the host's bootloader.

    tests/host_packages.py        (also run by `make test` as a unit test)
"""

import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))

# Commands the Makefiles, tools/run, tools/bench and tools/fetch-xen run.
COMMANDS = ["qemu-system-x86_64", "gcc", "ld", "objcopy", "make", "python3",
            "gdb", "gnuplot", "dpkg-deb", "apt-get"]
# Directories of host files compiled against.
HOST_PATHS = ["/usr/include/xen/xen.h", "/usr/include/xen/arch-x86/xen-x86_64.h"]
# Files whose text must not name /boot (where Xen would be installed).
NO_BOOT_FILES = ["tools/bench/build.mk", "tools/bench/run_bench.py",
                 "tests/system/cases.py", "tests/system/guest_cases.py",
                 "tests/system/boot_cases.py", "Makefile"]

failures = 0


def report(ok, name, why):
    """Print one result line."""
    global failures
    if ok:
        print(f"PASS {name}", flush=True)
    else:
        failures += 1
        print(f"FAIL {name}: {why}", flush=True)


def install_deps_packages():
    """The PACKAGES list of tools/install-deps."""
    with open(os.path.join(ROOT, "tools", "install-deps")) as f:
        m = re.search(r'^PACKAGES="([^"]*)"', f.read(), re.M)
    return m.group(1).split() if m else []


def installed_packages():
    """{name: (priority, essential, [[alternative, ...], ...])} of installed
    packages, from one dpkg-query call."""
    out = subprocess.run(
        ["dpkg-query", "-W", "-f",
         "${Package}\t${Status}\t${Priority}\t${Essential}\t"
         "${Pre-Depends}, ${Depends}\n"],
        capture_output=True, text=True, check=False)
    packages = {}
    for line in out.stdout.splitlines():
        fields = line.split("\t")
        if len(fields) != 5 or not fields[1].endswith(" installed"):
            continue
        deps = [[alt.strip().split(" ")[0].split(":")[0]
                 for alt in clause.split("|")]
                for clause in fields[4].split(",") if clause.strip()]
        packages[fields[0]] = (fields[2], fields[3] == "yes", deps)
    return packages


def allowed_packages(roots):
    """What install-deps' packages pull in (Pre-Depends and Depends, the
    installed alternative of each), plus the packages every Debian system
    has (Essential, or Priority required)."""
    packages = installed_packages()
    seen, todo = set(), list(roots)
    while todo:
        pkg = todo.pop()
        if pkg in seen or pkg not in packages:
            continue
        seen.add(pkg)
        for alternatives in packages[pkg][2]:
            for alt in alternatives:
                if alt in packages:
                    todo.append(alt)
                    break
    base = {name for name, (priority, essential, _) in packages.items()
            if essential or priority == "required"}
    return seen | base


def owners(paths):
    """{path: package} for the paths dpkg knows, from one dpkg -S call.
    Paths are tried as given, resolved, and across the /usr merge."""
    names = {}
    for path in paths:
        real = os.path.realpath(path)
        for alias in (path, real, real.replace("/usr/", "/", 1),
                      "/usr" + real):
            names.setdefault(alias, path)
    out = subprocess.run(["dpkg", "-S", *names], capture_output=True,
                         text=True, check=False)
    found = {}
    for line in out.stdout.splitlines():
        pkgs, sep, owned = line.partition(": ")
        if sep and owned in names:
            found.setdefault(names[owned], pkgs.split(",")[0].split(":")[0])
    return found


def command_path(cmd):
    """Where a fresh Debian machine finds cmd: its system directories
    first (a developer's PATH may put their own python3 ahead of it)."""
    for directory in ("/usr/bin", "/bin", "/usr/sbin", "/sbin"):
        path = os.path.join(directory, cmd)
        if os.access(path, os.X_OK):
            return path
    return shutil.which(cmd)


def case_host_files():
    """Absolute module and hypervisor paths in the system test cases."""
    import cases  # noqa: E402 (tests/system/cases.py)
    files = set()
    for case in cases.CASES:
        for path, _args in case.get("modules", []):
            if path.startswith("/"):
                files.add(path)
        hv = case.get("hypervisor", "")
        if hv.startswith("/"):
            files.add(hv)
    return sorted(files)


def main():
    """Run the checks; exit 1 if any failed."""
    wanted = install_deps_packages()
    report(bool(wanted), "install_deps_list", "no PACKAGES= line found")
    allowed = allowed_packages(wanted)

    checks = [(f"command_{cmd}", command_path(cmd) or f"/nonexistent/{cmd}")
              for cmd in COMMANDS]
    checks += [("file_" + path.strip("/").replace("/", "_"), path)
               for path in HOST_PATHS + case_host_files()]
    found = owners([path for _, path in checks if os.path.exists(path)])
    for name, path in checks:
        if not os.path.exists(path):
            report(False, name, f"{path} is missing: install-deps did not "
                   "install what provides it")
            continue
        pkg = found.get(path)
        report(pkg in allowed, name,
               f"{path} belongs to {pkg or 'no package'}, which "
               "tools/install-deps neither installs nor pulls in")
    boot_path = re.compile(r"(^|[\s\"'=(,])/boot/")
    for rel in NO_BOOT_FILES:
        with open(os.path.join(ROOT, rel)) as f:
            text = f.read()
        report(not boot_path.search(text), "no_boot_" + os.path.basename(rel),
               f"{rel} names a file under /boot (fetch it into build/)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
