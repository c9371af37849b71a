#!/usr/bin/env python3
"""make bench: hypercall overhead on Lamina and Xen 4.17 against native floors.

Boots, each under QEMU TCG with -icount shift=0,sleep=off (rdtsc advances
one per guest instruction, so every figure is an instruction count):
  native  tools/bench/native: the bare-metal floors (syscall/sysretq,
          int/iretq, CR3 reload, invlpg, cpuid)
  lamina  the Lamina hypervisor with the bench guest as domain 0
  xen     Xen 4.17 (fetched by tools/fetch-xen into build/xen) with the same guest binary
  lamina-2dom  Lamina again with two modules, the bench guest as domain 0
          (twodom=1) and as domain 1 (peer=1), for the two-domain rows
          (TWO_DOMAIN_ROWS), which the other runs print as n/a
The runs go in parallel. Each stops at the guest's "BENCH done" line
or at its timeout; QEMU is always killed (Xen with noreboot never exits).

Wall-clock mode (--accel kvm, only on hardware-backed KVM; refused on a
software KVM such as kvm_pvm): after the TCG runs, boots the same three
again under -accel kvm -cpu host,invtsc=on, one after another, --runs times (at least
5), where rdtsc gives TSC cycles per operation; also times the host's own
raw syscall (bench-host). Prints median and min-max cycles and ns per row
(wallclock.py). --simulate-kvm runs that code path under TCG without
icount, for testing the plumbing anywhere; it is labelled SIMULATED.

Prints the tables, writes $BUILD/bench/results.csv, the raw logs and SVG
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

import wallclock

QEMU = "qemu-system-x86_64"
ICOUNT = ["-icount", "shift=0,sleep=off"]
XEN_CMDLINE = "console=com1 dom0_mem=128M,max:128M noreboot"
DONE = "BENCH done"
NA = None  # a figure that could not be measured
LIVE_QEMUS = set()  # started and not yet reaped: killed on any exit

# Lamina counters in the guest's output order (lamina/perf.h field order).
COUNTERS = ["entries", "hcalls", "excs", "bounces", "cr3", "tlbflush", "invlpg",
            "ibpb", "verw"]
FLOOR_ROW = "native_syscall_sysret"
# Rows measured in the two-domain Lamina boot only. Xen 4.17 cannot run
# them: it starts only domain 0 by itself; a second domain needs a
# toolstack (xl/libxl) in a domain-0 userland, which the bench guest is not.
TWO_DOMAIN_ROWS = ["evtchn_roundtrip_2dom", "context_switch"]
TWO_DOMAIN_RUN = "lamina-2dom"
XEN_TWO_DOMAIN_REASON = ("Xen 4.17 cannot start a second domain without a "
                         "toolstack (xl/libxl in a domain-0 userland)")
MMU_BATCH_ROWS = [(1, "mmu_update_1"), (8, "mmu_update_8_per_pte"),
                  (64, "mmu_update_64_per_pte"),
                  (512, "mmu_update_512_per_pte")]

# Goals: (row, max Lamina/Xen ratio, max instructions over floor).
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
    p.add_argument("--xen-gz", default="build/xen/root/boot/xen-4.17-amd64.gz")
    p.add_argument("--iterations", type=int, default=1000,
                   help="operations per row in the guest (default 1000)")
    p.add_argument("--timeout", type=float, default=240,
                   help="seconds before a run's QEMU is killed (default 240)")
    p.add_argument("--accel", choices=("tcg", "kvm"), default="tcg",
                   help="tcg: instruction counts (default); kvm: also "
                        "wall-clock cycles, refused on a software KVM")
    p.add_argument("--no-xen", action="store_true", help="skip the Xen run")
    p.add_argument("--lamina-cmdline", default="",
                   help="Lamina's command line, e.g. 'spec-ctrl=md-clear=on' "
                   "to measure a mitigation (docs/security.md)")
    p.add_argument("--runs", type=int, default=wallclock.MIN_KVM_RUNS,
                   help="wall-clock runs per system (default and minimum "
                        f"under KVM: {wallclock.MIN_KVM_RUNS})")
    p.add_argument("--wall-iterations", type=int, default=None,
                   help="guest iterations per wall-clock run (default "
                        "10000 under KVM, --iterations when simulated)")
    p.add_argument("--host-bench", default="build/bench/bench-host",
                   help="host program timing the host's raw syscall and "
                        "calibrating the TSC (tools/bench/host)")
    p.add_argument("--simulate-kvm", action="store_true",
                   help="developer option: run the wall-clock code path "
                        "under TCG without icount (no KVM needed); the "
                        "figures are labelled SIMULATED and mean nothing")
    args = p.parse_args(argv)
    if args.runs < 1:
        p.error("--runs must be at least 1")
    if args.accel == "kvm" and not args.simulate_kvm and \
            args.runs < wallclock.MIN_KVM_RUNS:
        p.error(f"--runs must be at least {wallclock.MIN_KVM_RUNS} under KVM")
    return args


def load_tools_run():
    """Import tools/run (a script without .py) to reuse its KVM detection."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "run")
    loader = importlib.machinery.SourceFileLoader("lamina_tools_run", path)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def check_kvm_request(kvm_check=None):
    """For --accel kvm: refuse unless KVM is real hardware virtualization.

    Uses tools/run's detection (kvm_check returns (usable, reason)); exits
    with a message when refused, else returns the reason.
    """
    usable, reason = (kvm_check or load_tools_run().kvm_check)()
    if not usable:
        sys.exit(f"bench: ACCEL=kvm refused: {reason}.\n"
                 "bench: wall-clock timing needs hardware virtualization "
                 "(kvm_intel or kvm_amd); use plain `make bench` for the "
                 "TCG instruction counts (or BENCH_ARGS=--simulate-kvm to "
                 "exercise the wall-clock code path under TCG).")
    return reason


def qemu_base(memory="1024", accel=None):
    """QEMU arguments shared by every run, serial on stdout.

    accel: None for TCG with icount (instruction counts), else the
    accelerator and CPU arguments of a wall-clock run.
    """
    accel = accel or ["-accel", "tcg", "-cpu", "max", *ICOUNT]
    return [QEMU, "-M", "pc", "-m", memory, *accel,
            "-display", "none", "-serial", "stdio",
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


def merge_two_domain_rows(lamina, two_domain):
    """Take the two-domain rows' Lamina figures from the two-domain boot."""
    for name in TWO_DOMAIN_ROWS:
        if name in two_domain:
            lamina[name] = two_domain[name]


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
    print(f"{', '.join(TWO_DOMAIN_ROWS)}: Lamina with two domains (second "
          f"boot, counters of domain 0 only); Xen n/a: "
          f"{XEN_TWO_DOMAIN_REASON}.")


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


def csv_rows(table, wall_entries=(), wall_mode=""):
    """The CSV rows: instruction figures, plus wall-clock cells by row name.

    Wall-clock rows without an instruction row (the host syscall) come
    first. Cells without a figure are empty.
    """
    wall = {e["row"]: e for e in wall_entries}
    names = {e["row"] for e in table}
    rows = [{"row": e["row"]} for e in wall_entries if e["row"] not in names]
    for e in table:
        rows.append({k: ("" if v is NA else v) for k, v in e.items()})
    for row in rows:
        if row["row"] in wall:
            row.update(wallclock.csv_values(wall[row["row"]], wall_mode))
    return rows


def write_csv(path, table, wall_entries=(), wall_mode=""):
    """Write the table as CSV; the wall-clock columns are empty without them."""
    fields = ["row", "native", "lamina", "xen", "lamina_over_xen",
              "lamina_over_floor", "xen_over_floor"] + COUNTERS + \
        wallclock.csv_fields()
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, restval="")
        w.writeheader()
        for row in csv_rows(table, wall_entries, wall_mode):
            w.writerow(row)


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


def two_domain_modules(guest, iterations):
    """The -initrd of the two-domain boot: domain 0 measures, domain 1 answers."""
    return (f"{guest} iterations={iterations} twodom=1,"
            f"{guest} iterations={iterations} peer=1")


def system_commands(args, out_dir, iterations, accel=None, quiet=False,
                    two_domains=False):
    """{name: QEMU command} for native, Lamina, (if present) Xen and, with
    two_domains, Lamina's two-domain boot."""
    module = f"{args.guest} iterations={iterations}"
    base = qemu_base(accel=accel)
    append = ["-append", args.lamina_cmdline] if args.lamina_cmdline else []
    runs = {
        "native": base + ["-kernel", args.native],
        "lamina": base + ["-kernel", args.hypervisor, "-initrd", module] + append,
    }
    if two_domains:
        runs[TWO_DOMAIN_RUN] = base + [
            "-kernel", args.hypervisor, "-initrd",
            two_domain_modules(args.guest, iterations)] + append
    if not args.no_xen:
        if os.path.exists(args.xen_gz):
            runs["xen"] = base + [
                "-kernel", xen_image(args.xen_gz, out_dir), "-initrd", module,
                "-append", XEN_CMDLINE]
        elif not quiet:
            print(f"bench: {args.xen_gz} missing: no Xen column "
                  "(tools/fetch-xen unpacks Debian's xen-hypervisor-4.17-amd64)", file=sys.stderr)
    return runs


def run_all(args, out_dir):
    """Boot the three systems in parallel; return {name: (lines, ended)}."""
    runs = system_commands(args, out_dir, args.iterations, two_domains=True)
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


def run_wallclock(args, out_dir):
    """Wall-clock stage: boot each system args.runs times, in sequence.

    Returns ({system: {row: [cycles per run]}}, guest row order, names of
    runs that did not finish). Under KVM each run's rdtsc figures are TSC
    cycles; with --simulate-kvm they come from TCG and mean nothing.
    """
    simulate = args.simulate_kvm
    iterations = args.wall_iterations or \
        (args.iterations if simulate else 10000)
    runs = system_commands(args, out_dir, iterations, quiet=True,
                           accel=wallclock.qemu_accel_args(simulate))
    parsed = {name: [] for name in runs}
    failed = []
    try:
        for k in range(1, args.runs + 1):
            for name, cmd in runs.items():
                log_path = os.path.join(out_dir, f"{name}-wall{k}.log")
                lines, ended = run_qemu(f"{name} wall-clock run {k}", cmd,
                                        args.timeout, log_path)
                parsed[name].append(parse_output(lines)[1])
                if ended != "done":
                    failed.append(f"{name} wall-clock run {k}")
    finally:
        for proc in list(LIVE_QEMUS):
            kill_group(proc)
    per_system, order = {}, []
    for name, run_rows in parsed.items():
        per_system[name], names = wallclock.collect_runs(run_rows)
        if name != "native":
            order += [n for n in names if n not in order]
    per_system["host"] = {wallclock.HOST_ROW: wallclock.parse_host_output(
        wallclock.run_host_program(args.host_bench, "syscall", args.runs))}
    return per_system, order, failed


def report_wallclock(args, out_dir, per_system, order):
    """Print the wall-clock table and write its plot; return its entries."""
    khz, method = wallclock.tsc_frequency(args.host_bench)
    entries = wallclock.wall_entries(per_system, order, khz)
    label = wallclock.mode_label(args.simulate_kvm)
    print()
    for line in wallclock.format_table(entries, label, args.runs, khz,
                                       method):
        print(line)
    svg = wallclock.write_plot(out_dir, entries, FLOOR_ROW, label, args.runs)
    if svg is not NA:
        print(f"wrote {svg}")
    return entries


def main(argv):
    """Run the benchmark; exit 0 when every run reached "BENCH done"."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    wall = args.accel == "kvm" or args.simulate_kvm
    if args.accel == "kvm" and not args.simulate_kvm:
        reason = check_kvm_request()
        print(f"bench: ACCEL=kvm: {reason}", file=sys.stderr)
    out_dir = os.path.join(args.build, "bench")
    os.makedirs(out_dir, exist_ok=True)
    results = run_all(args, out_dir)
    parsed = {name: parse_output(lines) for name, (lines, _) in results.items()}
    empty = ({}, {}, [])
    _, native, _ = parsed.get("native", empty)
    lam_header, lamina, order = parsed.get("lamina", empty)
    xen_header, xen, xen_order = parsed.get("xen", empty)
    order = order or xen_order
    merge_two_domain_rows(lamina, parsed.get(TWO_DOMAIN_RUN, empty)[1])
    table, floor = build_table(native, lamina, xen, order)
    print(f"\nLamina {lam_header.get('version') or '?'} vs Xen "
          f"{xen_header.get('version') or '?'}, same guest binary, "
          f"{args.iterations} iterations\n")
    print_table(table, floor)
    for line in goal_lines(lamina, xen, floor):
        print(line)
    failed = [n for n, (_, ended) in results.items() if ended != "done"]
    wall_entries, wall_mode = [], ""
    if wall:
        per_system, wall_order, wall_failed = run_wallclock(args, out_dir)
        failed += wall_failed
        wall_entries = report_wallclock(args, out_dir, per_system,
                                        wall_order or order)
        wall_mode = "simulated" if args.simulate_kvm else "kvm"
    csv_path = os.path.join(out_dir, "results.csv")
    write_csv(csv_path, table, wall_entries, wall_mode)
    write_plots(out_dir, table, floor, lamina, xen)
    print(f"\nwrote {csv_path}, {out_dir}/hypercalls.svg, "
          f"{out_dir}/mmu_update_batch.svg")
    if failed:
        print(f"bench: runs that did not finish: {', '.join(failed)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
