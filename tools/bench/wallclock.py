"""Wall-clock mode of `make bench` (ACCEL=kvm): the pure parts.

Under KVM (-accel kvm -cpu host) the guests' rdtsc reads the real TSC, so
the same loops that count instructions under TCG icount give TSC cycles per
operation. This module holds what does not need a KVM host, so the self-test
(tools/bench/selftest.py) can check it anywhere:
  - the statistics over runs (median, min, max),
  - parsing the host program's output (tools/bench/host/host_bench.c),
  - the TSC frequency (sysfs, else calibration by the host program),
  - the wall-clock table, its CSV columns and its plot.
run_bench.py boots the systems and calls these.
"""

import os
import re
import shutil
import statistics
import subprocess

NA = None  # a figure that could not be measured (as in run_bench.py)

MIN_KVM_RUNS = 5
HOST_ROW = "host_syscall_getppid"
SYSTEMS = ["host", "native", "lamina", "xen"]
SYSTEM_LABELS = {"host": "host", "native": "native", "lamina": "Lamina",
                 "xen": "Xen"}
STAT_KEYS = ["median", "min", "max"]
TSC_SYSFS = "/sys/devices/system/cpu/cpu0/tsc_freq_khz"

KVM_LABEL = "wall clock, KVM (-accel kvm -cpu host,invtsc=on)"
SIMULATED_LABEL = ("SIMULATED wall clock: QEMU TCG without icount "
                   "(--simulate-kvm), NOT KVM: these are not hardware "
                   "cycles, only the code path is real")

HOST_ROW_RE = re.compile(r"BENCH row=(\S+) run=(\d+) iters=(\d+) "
                         r"cycles_per_op=(\S+)")
TSC_KHZ_RE = re.compile(r"BENCH tsc_khz=(\d+)")


def qemu_accel_args(simulate):
    """QEMU accelerator and CPU for a wall-clock run.

    Real mode: KVM with the host CPU (Lamina needs no SMAP workaround
    there), plus the invariant-TSC flag, which `-cpu host` leaves out by
    default: without it Xen may judge the TSC unreliable and emulate a PV
    guest's rdtsc. Simulated: TCG without icount, so rdtsc follows the
    host clock.
    """
    if simulate:
        return ["-accel", "tcg", "-cpu", "max"]
    return ["-accel", "kvm", "-cpu", "host,invtsc=on"]


def mode_label(simulate):
    """The label printed above the wall-clock table and on its plot."""
    return SIMULATED_LABEL if simulate else KVM_LABEL


def stats(values):
    """{"median", "min", "max", "runs"} of the measured values, or NA."""
    measured = [v for v in values if v is not NA]
    if not measured:
        return NA
    return {"median": statistics.median(measured), "min": min(measured),
            "max": max(measured), "runs": len(measured)}


def collect_runs(runs):
    """Per-row lists of figures from a list of parsed runs.

    runs: one {row: {"insns": x, ...}} per run (run_bench.parse_output's
    rows; under KVM its "insns" field holds TSC cycles per operation).
    Returns ({row: [x, ...]}, row order of first appearance).
    """
    per_row, order = {}, []
    for rows in runs:
        for name, fields in rows.items():
            if name not in per_row:
                per_row[name] = []
                order.append(name)
            per_row[name].append(fields.get("insns", NA))
    return per_row, order


def parse_host_output(lines):
    """Per-run cycles of the host syscall program: [x, ...] (NA if bad)."""
    values = []
    for line in lines:
        m = HOST_ROW_RE.search(line)
        if m and m.group(1) == HOST_ROW:
            try:
                values.append(float(m.group(4)))
            except ValueError:
                values.append(NA)
    return values


def parse_tsc_khz(lines):
    """The kHz figure of `bench-host tsc-khz`, or NA."""
    for line in lines:
        m = TSC_KHZ_RE.search(line)
        if m and int(m.group(1)) > 0:
            return int(m.group(1))
    return NA


def read_sysfs_tsc_khz(path=TSC_SYSFS):
    """The kernel's TSC frequency in kHz from sysfs, or NA if absent."""
    try:
        with open(path) as f:
            khz = int(f.read().strip())
    except (OSError, ValueError):
        return NA
    return khz if khz > 0 else NA


def run_host_program(program, *args, timeout=60):
    """Run the host program; its output lines, or [] if it cannot run."""
    try:
        out = subprocess.run([program, *map(str, args)], capture_output=True,
                             text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return out.stdout.splitlines()


def tsc_frequency(host_program, sysfs_path=TSC_SYSFS, calibrate_ms=100):
    """(kHz, how it was found): sysfs first, else calibration, else NA."""
    khz = read_sysfs_tsc_khz(sysfs_path)
    if khz is not NA:
        return khz, f"{sysfs_path}"
    khz = parse_tsc_khz(run_host_program(host_program, "tsc-khz",
                                         calibrate_ms))
    if khz is not NA:
        return khz, (f"calibrated: rdtsc against CLOCK_MONOTONIC_RAW over "
                     f"{calibrate_ms} ms (bench-host tsc-khz)")
    return NA, "unknown (no sysfs tsc_freq_khz, calibration failed)"


def cycles_to_ns(cycles, khz):
    """Nanoseconds for a TSC cycle count at khz, or NA."""
    if cycles is NA or khz is NA or not khz:
        return NA
    return cycles * 1e6 / khz


def stats_ns(cycle_stats, khz):
    """The same statistics converted to ns (NA if anything is missing)."""
    if cycle_stats is NA or khz is NA:
        return NA
    return {k: cycles_to_ns(cycle_stats[k], khz) for k in STAT_KEYS} | \
        {"runs": cycle_stats["runs"]}


def wall_entries(per_system, order, khz):
    """Wall-clock table rows.

    per_system: {"host"|"native"|"lamina"|"xen": {row: [cycles, ...]}}.
    Returns [{"row", "systems": {system: {"cycles": stats, "ns": stats}}}]:
    host rows, native rows, then the guest rows in order.
    """
    entries = []
    for system in ("host", "native"):
        for row in per_system.get(system, {}):
            entries.append(_entry(row, per_system, [system], khz))
    for row in order:
        entries.append(_entry(row, per_system, ["lamina", "xen"], khz))
    return entries


def _entry(row, per_system, systems, khz):
    """One table row: the statistics of row on each of systems."""
    figures = {}
    for system in systems:
        cycles = stats(per_system.get(system, {}).get(row, []))
        figures[system] = {"cycles": cycles, "ns": stats_ns(cycles, khz)}
    return {"row": row, "systems": figures}


def fmt_range(st, digits=1):
    """ "median (min–max)" or "n/a"."""
    if st is NA:
        return "n/a"
    return (f"{st['median']:.{digits}f} "
            f"({st['min']:.{digits}f}–{st['max']:.{digits}f})")


def median_ratio(a, b):
    """Ratio of two statistics' medians, or NA."""
    if a is NA or b is NA or not b["median"]:
        return NA
    return a["median"] / b["median"]


def format_table(entries, label, runs, khz, khz_method):
    """The wall-clock table as a list of lines."""
    head = (f"{'row':28} {'on':7} {'cycles median (min–max)':>28} "
            f"{'ns median (min–max)':>26} {'L/X':>6}")
    lines = [f"{label}:", f"median and min–max over {runs} runs; ns at "
             f"TSC {khz_text(khz)} ({khz_method})", "", head, "-" * len(head)]
    for e in entries:
        figures = e["systems"]
        ratio = NA
        if "lamina" in figures and "xen" in figures:
            ratio = median_ratio(figures["lamina"]["cycles"],
                                 figures["xen"]["cycles"])
        first = True
        for system, f in figures.items():
            name = e["row"] if first else ""
            tail = ""
            if system == "xen":
                tail = "n/a" if ratio is NA else f"{ratio:.2f}"
            lines.append(f"{name:28} {SYSTEM_LABELS[system]:7} "
                         f"{fmt_range(f['cycles']):>28} "
                         f"{fmt_range(f['ns']):>26} {tail:>6}".rstrip())
            first = False
    lines.append("")
    lines.append(f"Unit: TSC cycles per operation ({label.split(':')[0]}); "
                 "rdtsc deltas of the same loops as the instruction counts.")
    return lines


def khz_text(khz):
    """The TSC frequency for humans."""
    return "unknown" if khz is NA else f"{khz / 1000:.3f} MHz"


def csv_fields():
    """The wall-clock columns of results.csv."""
    fields = ["wall_clock"]
    for system in SYSTEMS:
        for unit in ("cycles", "ns"):
            fields += [f"{system}_{unit}_{k}" for k in STAT_KEYS]
    return fields + ["wall_runs"]


def csv_values(entry, mode):
    """The wall-clock cells of one table entry (empty when not measured)."""
    values = {"wall_clock": mode}
    runs = 0
    for system, f in entry["systems"].items():
        for unit in ("cycles", "ns"):
            st = f[unit]
            for k in STAT_KEYS:
                values[f"{system}_{unit}_{k}"] = "" if st is NA else \
                    round(st[k], 3)
            if st is not NA:
                runs = max(runs, st["runs"])
    values["wall_runs"] = runs or ""
    return values


def plot_value(st, key):
    """One statistic for a gnuplot data file ("NaN" when missing)."""
    return "NaN" if st is NA else f"{st[key]:.1f}"


def plot_data(entries, floor_row):
    """Lines of the bar data: row, then median min max for Lamina, Xen, floor."""
    floor = NA
    for e in entries:
        if e["row"] == floor_row:
            floor = e["systems"]["native"]["cycles"]
    lines = ["row lam lam_min lam_max xen xen_min xen_max fl fl_min fl_max"]
    for e in entries:
        f = e["systems"]
        if "lamina" not in f:
            continue
        lam, xen = f["lamina"]["cycles"], f["xen"]["cycles"]
        if lam is NA and xen is NA:
            continue
        cells = [plot_value(st, k) for st in (lam, xen, floor)
                 for k in STAT_KEYS]
        lines.append(" ".join([e["row"]] + cells))
    return lines


def write_plot(out_dir, entries, floor_row, label, runs):
    """hypercalls_cycles.svg: median cycles with min–max bars; the path."""
    if not shutil.which("gnuplot"):
        return NA
    data = os.path.join(out_dir, "bars_cycles.dat")
    with open(data, "w") as f:
        f.write("\n".join(plot_data(entries, floor_row)) + "\n")
    svg = os.path.join(out_dir, "hypercalls_cycles.svg")
    title = label.replace("'", "")
    script = f"""
set terminal svg size 1100,600 dynamic background rgb 'white'
set datafile missing 'NaN'
set output '{svg}'
set title "{title}" noenhanced
set style fill solid 0.8 border -1
set boxwidth 0.27
set logscale y
set yrange [1:*]
set xrange [-0.6:*]
set ylabel 'TSC cycles per operation, median of {runs} runs, bars min-max (log scale)'
set xtics rotate by -35 noenhanced
set key top left
plot '{data}' using ($0-0.28):2 with boxes lc rgb '#9400d3' title 'Lamina', \\
     '' using ($0-0.28):2:3:4 with yerrorbars lc rgb 'black' pt -1 notitle, \\
     '' using ($0):5:xtic(1) with boxes lc rgb '#009e73' title 'Xen 4.17', \\
     '' using ($0):5:6:7 with yerrorbars lc rgb 'black' pt -1 notitle, \\
     '' using ($0+0.28):8 with boxes lc rgb '#56b4e9' title 'native syscall floor', \\
     '' using ($0+0.28):8:9:10 with yerrorbars lc rgb 'black' pt -1 notitle
"""
    result = subprocess.run(["gnuplot"], input=script, text=True,
                            capture_output=True, check=False)
    return svg if result.returncode == 0 else NA
