#!/usr/bin/env python3
"""Run a PV guest on Xen 4.17 (the reference) under QEMU TCG.

usage: tests/system/xen_ref.py --build DIR GUEST.elf [ARGS] [--until REGEX]
       tests/system/xen_ref.py --build DIR --check NAME GUEST.elf [ARGS]

Xen's image comes from tools/fetch-xen (downloaded, not installed, into
DIR/xen). The guest is Xen's dom0; its console lines appear as plain lines
on Xen's serial console. Xen does not power the machine off when dom0 ends
(noreboot), so the run stops when a line matches --until (default: the test
guests' summary "N passed, N failed") or at --timeout; QEMU is always
killed. Prints the console output, "\\r" stripped. Exit status: 0 when the
--until line was seen, 1 when not, 77 when Xen could not be fetched.

--check NAME runs a test guest (one that prints "PASS x" / "FAIL x: why"
and a summary) on Xen as a test itself: the guest's result lines are
printed as they are, then "PASS NAME" if it printed its summary with no
failure, else "FAIL NAME: why"; "SKIP NAME: why" (exit 0) when Xen cannot
be fetched. This is how a test checks its expectations against Xen.
"""

import argparse
import fcntl
import gzip
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SKIP = 77
SUMMARY = r"^\d+ passed, \d+ failed"


def xen_image(build):
    """Path of the gunzipped Xen image, or None with the reason."""
    xen_dir = os.path.join(build, "xen")
    out = os.path.join(xen_dir, "xen-4.17.elf")
    if os.path.exists(out):
        return out, ""
    os.makedirs(xen_dir, exist_ok=True)
    # Cases run in parallel: one fetches, the others wait for it.
    with open(os.path.join(xen_dir, ".fetch.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(out):
            return out, ""
        r = subprocess.run([os.path.join(ROOT, "tools", "fetch-xen"), xen_dir],
                           capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            return None, (r.stderr.strip().splitlines() or
                          ["fetch-xen failed"])[-1]
        gz = r.stdout.strip().splitlines()[-1]
        with gzip.open(gz, "rb") as src, open(out + ".tmp", "wb") as dst:
            shutil.copyfileobj(src, dst)
        os.replace(out + ".tmp", out)
    return out, ""


def run_on_xen(build, guest, args="", until=SUMMARY, timeout=120):
    """Boot guest on Xen; return (lines, seen_until) or raise SkipXen."""
    image, why = xen_image(build)
    if image is None:
        raise SkipXen(why)
    initrd = guest + (" " + args if args else "")
    cmd = ["qemu-system-x86_64", "-M", "pc", "-cpu", "max", "-m", "1024M",
           "-nographic", "-no-reboot", "-monitor", "none",
           "-kernel", image, "-initrd", initrd,
           "-append", "console=com1 dom0_mem=128M noreboot smap=0"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    pattern = re.compile(until)
    lines, buf, seen = [], b"", False
    deadline = time.monotonic() + timeout
    try:
        while not seen and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 1.0)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                line = raw.decode("utf-8", errors="replace").replace("\r", "")
                lines.append(line)
                if pattern.search(line):
                    seen = True
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return lines, seen


class SkipXen(Exception):
    """Xen 4.17 cannot be had (no download possible)."""


def check(name, lines, seen):
    """Report a test guest's run on Xen; 0 iff it passed."""
    results = [l for l in lines if re.match(r"^(PASS|FAIL|SKIP) ", l)]
    for line in results:
        print(line)
    failed = [l for l in results if l.startswith("FAIL")]
    summary = next((l for l in lines if re.search(SUMMARY, l)), None)
    if not seen or summary is None:
        print(f"FAIL {name}: no summary line on Xen (log tail: "
              f"{' | '.join(lines[-3:])})")
        return 1
    if failed or not re.search(r" 0 failed", summary):
        print(f"FAIL {name}: on Xen: {summary}")
        return 1
    print(f"PASS {name}")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default="build")
    p.add_argument("--until", default=SUMMARY)
    p.add_argument("--timeout", type=int, default=120)
    p.add_argument("--check", metavar="NAME")
    p.add_argument("guest")
    p.add_argument("args", nargs="*")
    a = p.parse_args()
    try:
        lines, seen = run_on_xen(a.build, a.guest, " ".join(a.args),
                                 a.until, a.timeout)
    except SkipXen as e:
        if a.check:
            print(f"SKIP {a.check}: Xen 4.17 cannot be fetched ({e})")
            return 0
        print(f"xen_ref: cannot fetch Xen 4.17: {e}", file=sys.stderr)
        return SKIP
    if a.check:
        return check(a.check, lines, seen)
    for line in lines:
        print(line)
    return 0 if seen else 1


if __name__ == "__main__":
    sys.exit(main())
