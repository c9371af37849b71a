#!/usr/bin/env python3
"""make bench: hypercall overhead on Lamina and Xen 4.17 against native floors.

Boots, each under QEMU TCG with -icount shift=0,sleep=off (rdtsc advances
one per guest instruction, so every figure is an instruction count):
  native  tools/bench/native: the bare-metal floors (syscall/sysretq,
          int/iretq, CR3 reload, invlpg, cpuid)
  lamina  the Lamina hypervisor with the bench guest as domain 0
  xen     Xen 4.17 (/boot/xen-4.17-amd64.gz) with the same guest binary
The three runs go in parallel. Each stops at the guest's "BENCH done" line
or at its timeout; QEMU is always killed (Xen with noreboot never exits).

Prints one table, writes $BUILD/bench/results.csv, the raw logs and SVG
plots (gnuplot). See docs/benchmarks.md.
"""

import argparse
import csv
import gzip
import importlib.machinery
import importlib.util
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import threading
import time

QEMU = "qemu-system-x86_64"
ICOUNT = ["-icount", "shift=0,sleep=off"]
XEN_CMDLINE = "console=com1 dom0_mem=128M,max:128M noreboot"
DONE = "BENCH done"
NA = None  # a figure that could not be measured
LIVE_QEMUS = set()  # started and not yet reaped: killed on any exit

# Lamina counters in the guest's output order (lamina/perf.h field order).
COUNTERS = ["entries", "hcalls", "excs", "bounces", "cr3", "tlbflush", "invlpg"]
FLOOR_ROW = "native_syscall_sysret"
MMU_BATCH_ROWS = [(1, "mmu_update_1"), (8, "mmu_update_8_per_pte"),
                  (64, "mmu_update_64_per_pte"),
                  (512, "mmu_update_512_per_pte")]

# Goals of issue 5: (row, max Lamina/Xen ratio, max instructions over floor).
GOALS = [("null_hypercall", 0.5, 40),
         ("exception_bounce", 0.6, None),
         ("user_syscall", 0.6, None),
         ("mmu_update_512_per_pte", 1.0, None)]

ROW_RE = re.compile(r"BENCH row=(\S+) iters=(\d+) insns_per_op=(\S+)")
COUNTER_RE = re.compile(r"BENCH counters row=(\S+)((?: \w+=\S+)*)")
HEADER_RE = re.compile(r"BENCH hypervisor=(\S+)(?: version=(\S+))?")


def parse_args(argv):
    """Parse the command line (see --help)."""
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="build")
    p.add_argument("--hypervisor", default="build/hypervisor/lamina.elf")
    p.add_argument("--guest", default="build/bench/bench-guest.elf")
    p.add_argument("--native", default="build/bench/bench-native.elf")
    p.add_argument("--xen-gz", default="/boot/xen-4.17-amd64.gz")
    p.add_argument("--iterations", type=int, default=1000,
                   help="operations per row in the guest (default 1000)")
    p.add_argument("--timeout", type=float, default=240,
                   help="seconds before a run's QEMU is killed (default 240)")
    p.add_argument("--accel", choices=("tcg", "kvm"), default="tcg",
                   help="tcg: instruction counts (default); kvm: also "
                        "wall-clock cycles, refused on a software KVM")
    p.add_argument("--no-xen", action="store_true", help="skip the Xen run")
    return p.parse_args(argv)


def load_tools_run():
    """Import tools/run (a script without .py) to reuse its KVM detection."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "run")
    loader = importlib.machinery.SourceFileLoader("lamina_tools_run", path)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def check_kvm_request():
    """For --accel kvm: refuse unless KVM is real hardware virtualization."""
    usable, reason = load_tools_run().kvm_check()
    if not usable:
        sys.exit(f"bench: ACCEL=kvm refused: {reason}.\n"
                 "bench: wall-clock timing needs hardware virtualization "
                 "(kvm_intel or kvm_amd); use plain `make bench` for the "
                 "TCG instruction counts.")
    sys.exit("bench: ACCEL=kvm: KVM is usable here "
             f"({reason}), but wall-clock KVM timing is not implemented "
             "yet; run plain `make bench` for instruction counts.")


def qemu_base(memory="1024"):
    """QEMU arguments shared by every run: TCG, icount, serial on stdout."""
    return [QEMU, "-M", "pc", "-cpu", "max", "-m", memory, "-accel", "tcg",
            *ICOUNT, "-display", "none", "-serial", "stdio",
            "-monitor", "none", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]


def kill_group(proc):
    """Kill QEMU's whole process group and reap it."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=3)
            return
        except subprocess.TimeoutExpired:
            continue


def run_qemu(name, cmd, timeout, log_path):
    """Run one QEMU until "BENCH done", exit or timeout; return its lines."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    LIVE_QEMUS.add(proc)
    data, ended = b"", "timeout"
    try:
        deadline = started + timeout
        while True:
            wait = deadline - time.monotonic()
            if wait <= 0:
                break
            ready, _, _ = select.select([proc.stdout], [], [], wait)
            if not ready:
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                ended = f"QEMU exited ({proc.wait()})"
                break
            data += chunk
            if DONE.encode() in data:
                ended = "done"
                break
    finally:
        kill_group(proc)
        LIVE_QEMUS.discard(proc)
    with open(log_path, "wb") as f:
        f.write(data)
    text = data.decode(errors="replace").replace("\r", "")
    seconds = time.monotonic() - started
    print(f"bench: {name}: {ended} after {seconds:.0f} s (log {log_path})",
          file=sys.stderr, flush=True)
    return text.splitlines(), ended


def parse_number(text):
    """A figure from the guest: float, or NA for "n/a"."""
    try:
        return float(text)
    except ValueError:
        return NA


def parse_output(lines):
    """Return (header dict, {row: {"insns": x, "iters": n, counters...}}, order)."""
    header, rows, order = {}, {}, []
    for line in lines:
        m = HEADER_RE.search(line)
        if m:
            header = {"hypervisor": m.group(1), "version": m.group(2)}
            continue
        m = ROW_RE.search(line)
        if m:
            name = m.group(1)
            if name not in rows:
                order.append(name)
            rows[name] = {"iters": int(m.group(2)),
                          "insns": parse_number(m.group(3))}
            continue
        m = COUNTER_RE.search(line)
        if m and m.group(1) in rows:
            for pair in m.group(2).split():
                key, _, value = pair.partition("=")
                rows[m.group(1)][key] = parse_number(value)
    return header, rows, order


def ratio(a, b):
    """a / b, or NA when either is missing or b is zero."""
    if a is NA or b is NA or not b:
        return NA
    return a / b


def fmt(value, digits=1):
    """Format a figure for the table ("n/a" when missing)."""
    return "n/a" if value is NA else f"{value:.{digits}f}"


def get(rows, name, key="insns"):
    """rows[name][key] or NA."""
    return rows.get(name, {}).get(key, NA)


def build_table(native, lamina, xen, order):
    """Rows of the result table as dicts (native rows first)."""
    floor = get(native, FLOOR_ROW)
    table = []
    for name in native:
        table.append({"row": name, "native": get(native, name)})
    for name in order:
        lam, x = get(lamina, name), get(xen, name)
        entry = {"row": name, "lamina": lam, "xen": x,
                 "lamina_over_xen": ratio(lam, x),
                 "lamina_over_floor": ratio(lam, floor),
                 "xen_over_floor": ratio(x, floor)}
        for c in COUNTERS:
            entry[c] = get(lamina, name, c)
        table.append(entry)
    return table, floor


def print_table(table, floor):
    """Print the table on stdout."""
    head = (f"{'row':28} {'native':>8} {'Lamina':>9} {'Xen':>9} {'L/X':>6} "
            f"{'L/floor':>8} {'X/floor':>8}  Lamina counters per op "
            f"({' '.join(COUNTERS)})")
    print(head)
    print("-" * len(head))
    for e in table:
        if "native" in e:
            print(f"{e['row']:28} {fmt(e['native']):>8}")
            continue
        counters = " ".join(fmt(e[c], 3) for c in COUNTERS)
        if all(e[c] is NA for c in COUNTERS):
            counters = "n/a"
        print(f"{e['row']:28} {'':>8} {fmt(e['lamina']):>9} {fmt(e['xen']):>9} "
              f"{fmt(e['lamina_over_xen'], 2):>6} "
              f"{fmt(e['lamina_over_floor'], 1):>8} "
              f"{fmt(e['xen_over_floor'], 1):>8}  {counters}")
    print(f"\nAll figures: guest instructions per operation (TCG "
          f"-icount shift=0,sleep=off); floor = {FLOOR_ROW} = {fmt(floor)}.")


def goal_lines(lamina, xen, floor):
    """One line per issue-5 goal: met, missed or not measurable."""
    lines = []
    for row, max_ratio, max_over in GOALS:
        lam, x = get(lamina, row), get(xen, row)
        if lam is NA or x is NA:
            lines.append(f"goal {row}: not measurable yet (Lamina "
                         f"{fmt(lam)}, Xen {fmt(x)})")
            continue
        parts, ok = [], True
        parts.append(f"Lamina/Xen {lam / x:.2f} (goal <= {max_ratio})")
        ok &= lam / x <= max_ratio
        if max_over is not None and floor is not NA:
            parts.append(f"floor + {lam - floor:.1f} (goal <= {max_over})")
            ok &= lam - floor <= max_over
        lines.append(f"goal {row}: {'met' if ok else 'MISSED'}: "
                     + ", ".join(parts))
    return lines


def write_csv(path, table):
    """Write the table as CSV (n/a figures as empty cells)."""
    fields = ["row", "native", "lamina", "xen", "lamina_over_xen",
              "lamina_over_floor", "xen_over_floor"] + COUNTERS
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for e in table:
            w.writerow({k: ("" if e.get(k, NA) is NA else e[k])
                        if k != "row" else e[k] for k in fields})


def gnuplot_value(v):
    """A data-file value gnuplot skips when missing."""
    return "NaN" if v is NA else f"{v:.1f}"


def write_plots(out_dir, table, floor, lamina, xen):
    """Write the SVG plots with gnuplot; skip with a note if it is missing."""
    if not shutil.which("gnuplot"):
        print("bench: gnuplot not found (tools/install-deps installs "
              "gnuplot-nox); no plots", file=sys.stderr)
        return
    bars = os.path.join(out_dir, "bars.dat")
    with open(bars, "w") as f:
        f.write("row lamina xen floor\n")
        for e in table:
            if "native" in e:
                continue
            if e["lamina"] is NA and e["xen"] is NA:
                continue
            f.write(f"{e['row']} {gnuplot_value(e['lamina'])} "
                    f"{gnuplot_value(e['xen'])} {gnuplot_value(floor)}\n")
    batch = os.path.join(out_dir, "mmu_batch.dat")
    with open(batch, "w") as f:
        f.write("batch lamina xen\n")
        for size, name in MMU_BATCH_ROWS:
            f.write(f"{size} {gnuplot_value(get(lamina, name))} "
                    f"{gnuplot_value(get(xen, name))}\n")
    script = f"""
set terminal svg size 1100,600 dynamic background rgb 'white'
set datafile missing 'NaN'
set output '{out_dir}/hypercalls.svg'
set title 'Instructions per operation (QEMU TCG icount): Lamina, Xen 4.17, native syscall floor'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [1:*]
set ylabel 'instructions per operation (log scale)'
set xtics rotate by -35 noenhanced
set key top left
plot '{bars}' using 2:xtic(1) title 'Lamina', '' using 3 title 'Xen 4.17', '' using 4 title 'native syscall floor'
set output '{out_dir}/mmu_update_batch.svg'
set title 'mmu_update: instructions per PTE against batch size'
unset style
set style data linespoints
set logscale x 2
set xlabel 'PTEs per mmu_update call'
set ylabel 'instructions per PTE (log scale)'
set xtics rotate by 0 (1, 8, 64, 512)
plot '{batch}' using 1:2 title 'Lamina' with linespoints, '' using 1:3 title 'Xen 4.17' with linespoints
"""
    result = subprocess.run(["gnuplot"], input=script, text=True,
                            capture_output=True)
    if result.returncode != 0:
        print(f"bench: gnuplot failed: {result.stderr.strip()}", file=sys.stderr)


def xen_image(xen_gz, out_dir):
    """Gunzip Xen's multiboot image into out_dir (once); return its path."""
    path = os.path.join(out_dir, "xen-4.17")
    if not os.path.exists(path) or os.path.getmtime(path) < os.path.getmtime(xen_gz):
        with gzip.open(xen_gz, "rb") as src, open(path, "wb") as dst:
            shutil.copyfileobj(src, dst)
    return path


def run_all(args, out_dir):
    """Boot the three systems in parallel; return {name: (lines, ended)}."""
    module = f"{args.guest} iterations={args.iterations}"
    runs = {
        "native": qemu_base() + ["-kernel", args.native],
        "lamina": qemu_base() + ["-kernel", args.hypervisor, "-initrd", module],
    }
    if not args.no_xen:
        if os.path.exists(args.xen_gz):
            runs["xen"] = qemu_base() + [
                "-kernel", xen_image(args.xen_gz, out_dir), "-initrd", module,
                "-append", XEN_CMDLINE]
        else:
            print(f"bench: {args.xen_gz} missing: no Xen column "
                  "(Debian package xen-hypervisor-4.17-amd64)", file=sys.stderr)
    results = {}

    def worker(name, cmd):
        log_path = os.path.join(out_dir, f"{name}.log")
        results[name] = run_qemu(name, cmd, args.timeout, log_path)

    threads = [threading.Thread(target=worker, args=item, daemon=True)
               for item in runs.items()]
    try:
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(0.5)
    finally:
        # On Ctrl-C or any error: no QEMU may outlive the benchmark.
        for proc in list(LIVE_QEMUS):
            kill_group(proc)
    return results


def main(argv):
    """Run the benchmark; exit 0 when every run reached "BENCH done"."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.accel == "kvm":
        check_kvm_request()
    out_dir = os.path.join(args.build, "bench")
    os.makedirs(out_dir, exist_ok=True)
    results = run_all(args, out_dir)
    parsed = {name: parse_output(lines) for name, (lines, _) in results.items()}
    empty = ({}, {}, [])
    _, native, _ = parsed.get("native", empty)
    lam_header, lamina, order = parsed.get("lamina", empty)
    xen_header, xen, xen_order = parsed.get("xen", empty)
    order = order or xen_order
    table, floor = build_table(native, lamina, xen, order)
    print(f"\nLamina {lam_header.get('version') or '?'} vs Xen "
          f"{xen_header.get('version') or '?'}, same guest binary, "
          f"{args.iterations} iterations\n")
    print_table(table, floor)
    for line in goal_lines(lamina, xen, floor):
        print(line)
    csv_path = os.path.join(out_dir, "results.csv")
    write_csv(csv_path, table)
    write_plots(out_dir, table, floor, lamina, xen)
    print(f"\nwrote {csv_path}, {out_dir}/hypercalls.svg, "
          f"{out_dir}/mmu_update_batch.svg")
    failed = [n for n, (_, ended) in results.items() if ended != "done"]
    if failed:
        print(f"bench: runs that did not finish: {', '.join(failed)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
