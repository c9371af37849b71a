#!/usr/bin/env python3
"""Self-test of `make bench`'s wall-clock plumbing, runnable on any host.

The KVM wall-clock path cannot run end to end on a software KVM, so this
checks its parts: statistics over runs, parsing of guest and host output,
the TSC frequency (sysfs and the calibration fallback), the table, CSV and
plot data, the QEMU arguments, and the refusal on kvm_pvm. Prints
"PASS name" / "FAIL name: why" / "SKIP name: why" lines (the unit-test
runner runs it through $BUILD/tests/unit/test_bench_harness).

    tools/bench/selftest.py [--host-bench build/bench/bench-host]
"""

import argparse
import contextlib
import csv
import io
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_bench  # noqa: E402
import wallclock  # noqa: E402

NA = wallclock.NA
RESULTS = {"PASS": 0, "FAIL": 0, "SKIP": 0}
HERE = os.path.dirname(os.path.abspath(__file__))


def report(kind, name, why=""):
    """Print one result line and count it."""
    RESULTS[kind] += 1
    print(f"{kind} bench_{name}" + (f": {why}" if why else ""), flush=True)


def check(name, condition, why):
    """PASS when condition holds, else FAIL with why."""
    report("PASS" if condition else "FAIL", name, "" if condition else why)


def guest_run(null, bounce):
    """Lines of one fake guest run (the bench guest's output format)."""
    return ["(d0) BENCH hypervisor=lamina version=4.17-lamina iterations=10",
            f"(d0) BENCH row=null_hypercall iters=10 insns_per_op={null}",
            "(d0) BENCH counters row=null_hypercall entries=1.000",
            f"(d0) BENCH row=exception_bounce iters=10 insns_per_op={bounce}",
            "(d0) BENCH row=evtchn_roundtrip_2dom iters=0 insns_per_op=n/a",
            "(d0) BENCH done"]


def test_stats():
    """Median, min and max over runs; unmeasured runs are left out."""
    odd = wallclock.stats([5.0, 1.0, 3.0, 9.0, 7.0])
    check("stats_odd", odd == {"median": 5.0, "min": 1.0, "max": 9.0,
                               "runs": 5}, f"got {odd}")
    even = wallclock.stats([4.0, 1.0, 3.0, 2.0])
    check("stats_even", even["median"] == 2.5 and even["runs"] == 4,
          f"got {even}")
    some = wallclock.stats([NA, 2.0, NA])
    check("stats_skip_na", some == {"median": 2.0, "min": 2.0, "max": 2.0,
                                    "runs": 1}, f"got {some}")
    check("stats_all_na", wallclock.stats([NA, NA]) is NA
          and wallclock.stats([]) is NA, "expected NA")


def test_collect_runs():
    """Guest output of several runs becomes per-row lists of cycles."""
    runs = [run_bench.parse_output(guest_run(n, b))[1]
            for n, b in (("120.0", "900.5"), ("118.0", "880.0"),
                         ("125.5", "910.0"))]
    per_row, order = wallclock.collect_runs(runs)
    check("collect_runs_values",
          per_row.get("null_hypercall") == [120.0, 118.0, 125.5]
          and per_row.get("exception_bounce") == [900.5, 880.0, 910.0],
          f"got {per_row}")
    check("collect_runs_na", per_row.get("evtchn_roundtrip_2dom") ==
          [NA, NA, NA], f"got {per_row.get('evtchn_roundtrip_2dom')}")
    check("collect_runs_order", order == ["null_hypercall", "exception_bounce",
                                          "evtchn_roundtrip_2dom"],
          f"got {order}")


def test_parse_host():
    """The host program's lines and the TSC calibration line."""
    lines = ["BENCH row=host_syscall_getppid run=1 iters=100 cycles_per_op=214.7",
             "noise",
             "BENCH row=host_syscall_getppid run=2 iters=100 cycles_per_op=bad",
             "BENCH row=other run=1 iters=100 cycles_per_op=1.0"]
    got = wallclock.parse_host_output(lines)
    check("parse_host_output", got == [214.7, NA], f"got {got}")
    check("parse_tsc_khz", wallclock.parse_tsc_khz(
        ["x", "BENCH tsc_khz=1999996"]) == 1999996, "expected 1999996")
    check("parse_tsc_khz_missing", wallclock.parse_tsc_khz(
        ["BENCH tsc_khz=0"]) is NA, "expected NA")


def test_tsc_sysfs(tmp):
    """The sysfs TSC frequency is used when present, rejected when bad."""
    path = os.path.join(tmp, "tsc_freq_khz")
    with open(path, "w") as f:
        f.write("2400000\n")
    khz, method = wallclock.tsc_frequency("/nonexistent", sysfs_path=path)
    check("tsc_sysfs", khz == 2400000 and method == path,
          f"got {khz}, {method}")
    with open(path, "w") as f:
        f.write("garbage\n")
    check("tsc_sysfs_bad", wallclock.read_sysfs_tsc_khz(path) is NA,
          "garbage accepted")
    khz, method = wallclock.tsc_frequency("/nonexistent",
                                          sysfs_path=path + ".missing")
    check("tsc_unknown", khz is NA and "unknown" in method,
          f"got {khz}, {method}")


def test_tsc_calibration(host_bench):
    """Without sysfs the host program calibrates the TSC: a plausible rate."""
    if not os.access(host_bench, os.X_OK):
        report("SKIP", "tsc_calibration", f"{host_bench} not built")
        return
    khz, method = wallclock.tsc_frequency(host_bench, sysfs_path="/nonexistent",
                                          calibrate_ms=20)
    check("tsc_calibration", khz is not NA and 100000 < khz < 10000000
          and method.startswith("calibrated"), f"got {khz}, {method}")


def test_host_syscall(host_bench):
    """The host program times one positive syscall figure per run."""
    if not os.access(host_bench, os.X_OK):
        report("SKIP", "host_syscall", f"{host_bench} not built")
        return
    values = wallclock.parse_host_output(
        wallclock.run_host_program(host_bench, "syscall", 5, 2000))
    check("host_syscall", len(values) == 5 and
          all(v is not NA and v > 0 for v in values), f"got {values}")


def test_ns():
    """Cycles to ns at the TSC rate."""
    check("cycles_to_ns", wallclock.cycles_to_ns(2000.0, 2000000) == 1000.0,
          "2000 cycles at 2 GHz should be 1000 ns")
    ns = wallclock.stats_ns({"median": 300.0, "min": 200.0, "max": 400.0,
                             "runs": 5}, 1000000)
    check("stats_ns", ns == {"median": 300.0, "min": 200.0, "max": 400.0,
                             "runs": 5}, f"got {ns}")
    check("cycles_to_ns_na", wallclock.cycles_to_ns(5.0, NA) is NA and
          wallclock.stats_ns(NA, 1000) is NA, "expected NA")


def sample_entries():
    """Wall-clock entries from fake runs on every system."""
    per_system = {
        "host": {"host_syscall_getppid": [210.0, 214.0, 212.0, 230.0, 211.0]},
        "native": {"native_syscall_sysret": [60.0, 62.0, 61.0, 70.0, 59.0]},
        "lamina": {"null_hypercall": [120.0, 118.0, 125.0, 119.0, 121.0],
                   "evtchn_roundtrip_2dom": [NA] * 5},
        "xen": {"null_hypercall": [240.0, 250.0, 242.0, 260.0, 241.0],
                "evtchn_roundtrip_2dom": [NA] * 5},
    }
    return wallclock.wall_entries(
        per_system, ["null_hypercall", "evtchn_roundtrip_2dom"], 2000000)


def test_table():
    """The table: label, medians with ranges in cycles and ns, L/X."""
    entries = sample_entries()
    rows = [e["row"] for e in entries]
    check("entries_order", rows == ["host_syscall_getppid",
                                    "native_syscall_sysret", "null_hypercall",
                                    "evtchn_roundtrip_2dom"], f"got {rows}")
    lines = wallclock.format_table(entries, wallclock.KVM_LABEL, 5, 2000000,
                                   "calibrated")
    text = "\n".join(lines)
    check("table_label", lines[0].startswith("wall clock, KVM"), lines[0])
    check("table_host", any(line.startswith("host_syscall_getppid") and
                            "212.0 (210.0–230.0)" in line and
                            "106.0 (105.0–115.0)" in line
                            for line in lines), text)
    check("table_lamina_xen",
          any("Lamina" in line and "120.0 (118.0–125.0)" in line
              for line in lines) and
          any("Xen" in line and "242.0 (240.0–260.0)" in line and
              line.endswith("0.50") for line in lines), text)
    check("table_na", any("n/a" in line for line in lines), text)
    check("table_tsc", "2000.000 MHz" in text and "over 5 runs" in text, text)
    sim = wallclock.format_table(entries, wallclock.SIMULATED_LABEL, 5,
                                 2000000, "calibrated")
    check("table_simulated_label", sim[0].startswith("SIMULATED") and
          "NOT KVM" in sim[0], sim[0])


def test_csv(tmp):
    """results.csv carries the wall-clock columns; host row first."""
    table = [{"row": "native_syscall_sysret", "native": 2.0},
             {"row": "null_hypercall", "lamina": 40.0, "xen": 278.0,
              "lamina_over_xen": 0.14, "lamina_over_floor": 20.0,
              "xen_over_floor": 139.0, **{c: NA for c in run_bench.COUNTERS}}]
    path = os.path.join(tmp, "results.csv")
    run_bench.write_csv(path, table, sample_entries(), "kvm")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    by_row = {r["row"]: r for r in rows}
    check("csv_host_first", rows[0]["row"] == "host_syscall_getppid" and
          rows[0]["host_cycles_median"] == "212.0", f"got {rows[0]}")
    null = by_row.get("null_hypercall", {})
    check("csv_wall_columns",
          null.get("lamina") == "40.0" and null.get("wall_clock") == "kvm"
          and null.get("lamina_cycles_median") == "120.0"
          and null.get("xen_cycles_max") == "260.0"
          and null.get("xen_ns_min") == "120.0"
          and null.get("wall_runs") == "5", f"got {null}")
    run_bench.write_csv(path, table)
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    check("csv_tcg_only", len(rows) == 2 and "lamina_cycles_median" in rows[0]
          and rows[1]["lamina_cycles_median"] == "" and
          rows[1]["lamina"] == "40.0", f"got {rows}")


def test_plot_data():
    """Plot data: medians with min and max for Lamina, Xen and the floor."""
    lines = wallclock.plot_data(sample_entries(), "native_syscall_sysret")
    check("plot_data", len(lines) == 2 and lines[1] ==
          "null_hypercall 120.0 118.0 125.0 242.0 240.0 260.0 61.0 59.0 70.0",
          f"got {lines}")


def test_qemu_args():
    """KVM runs use -accel kvm -cpu host without icount; TCG keeps icount."""
    kvm = run_bench.qemu_base(accel=wallclock.qemu_accel_args(False))
    sim = run_bench.qemu_base(accel=wallclock.qemu_accel_args(True))
    tcg = run_bench.qemu_base()
    joined = " ".join(kvm)
    check("qemu_kvm", "-accel kvm -cpu host" in joined and
          "-icount" not in kvm, joined)
    check("qemu_simulated", "-accel tcg" in " ".join(sim) and
          "-icount" not in sim, " ".join(sim))
    check("qemu_tcg_icount", "-icount" in tcg and "-accel tcg" in
          " ".join(tcg), " ".join(tcg))


def test_args():
    """Under KVM at least 5 runs; simulated runs may be fewer."""
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            run_bench.parse_args(["--accel", "kvm", "--runs", "3"])
        refused = False
    except SystemExit:
        refused = True
    check("args_kvm_min_runs", refused, "--runs 3 accepted under KVM")
    args = run_bench.parse_args(["--simulate-kvm", "--runs", "2"])
    check("args_simulated", args.simulate_kvm and args.runs == 2, str(args))


def test_refusal_logic():
    """check_kvm_request exits with a clear message on kvm_pvm."""
    reason = load_pvm_reason()
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            run_bench.check_kvm_request(lambda: (False, reason))
        message = ""
    except SystemExit as e:
        message = str(e.code)
    check("refuse_kvm_pvm", "refused" in message and "kvm_pvm" in message
          and "make bench" in message, f"message {message!r}")
    got = run_bench.check_kvm_request(
        lambda: (True, "hardware virtualization through kvm_intel"))
    check("accept_hardware_kvm", "kvm_intel" in got, f"got {got!r}")


def load_pvm_reason():
    """tools/run's reason for refusing kvm_pvm."""
    return run_bench.load_tools_run().KVM_PVM_REASON


def fake_host(tmp, name, dev_kvm, modules, cpu_flags):
    """A fake root tree for kvm_check: dev/kvm, sys/module/*, proc/cpuinfo."""
    root = os.path.join(tmp, "host-" + name)
    for sub in ("dev", "proc", "sys/module"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    if dev_kvm:
        open(os.path.join(root, "dev/kvm"), "w").close()
    for module in modules:
        os.makedirs(os.path.join(root, "sys/module", module), exist_ok=True)
    with open(os.path.join(root, "proc/cpuinfo"), "w") as f:
        f.write(f"processor\t: 0\nflags\t\t: fpu pae {cpu_flags}\n")
    return root


def test_kvm_detection(tmp):
    """tools/run's KVM detection on the three kinds of host, from fake trees."""
    kvm_check = run_bench.load_tools_run().kvm_check
    cases = [
        ("no_dev_kvm", fake_host(tmp, "none", False, [], "vmx"), False,
         "does not exist"),
        ("kvm_pvm", fake_host(tmp, "pvm", True, ["kvm", "kvm_pvm"], "vmx"),
         False, "kvm_pvm"),
        ("no_vmx_flag", fake_host(tmp, "noflag", True, ["kvm", "kvm_intel"],
                                  "sse2"), False, "no vmx or svm"),
        ("hardware_intel", fake_host(tmp, "intel", True, ["kvm", "kvm_intel"],
                                     "vmx"), True, "kvm_intel"),
        ("hardware_amd", fake_host(tmp, "amd", True, ["kvm", "kvm_amd"],
                                   "svm"), True, "kvm_amd"),
        ("no_vendor_module", fake_host(tmp, "bare", True, ["kvm"], "vmx"),
         False, "neither kvm_intel nor kvm_amd"),
    ]
    for name, root, want_usable, want_reason in cases:
        usable, reason = kvm_check(root)
        check(f"kvm_detect_{name}", usable == want_usable and
              want_reason in reason, f"got {(usable, reason)}")


def test_refusal_here(tmp):
    """On a host whose KVM cannot run Lamina, `--accel kvm` refuses at once.

    Holds on every host: where tools/run finds usable hardware KVM there is
    nothing to refuse, and the check says so instead of booting anything.
    """
    usable, reason = run_bench.load_tools_run().kvm_check()
    if usable:
        report("SKIP", "refuse_on_this_host", f"usable KVM here ({reason})")
        return
    out = subprocess.run(
        [sys.executable, os.path.join(HERE, "run_bench.py"), "--accel",
         "kvm", "--build", tmp], capture_output=True, text=True, timeout=60,
        check=False)
    booted = os.path.exists(os.path.join(tmp, "bench"))
    check("refuse_on_this_host", out.returncode != 0 and
          "ACCEL=kvm refused" in out.stderr and reason in out.stderr
          and not booted, f"status {out.returncode}, stderr {out.stderr!r}")


def test_report_wallclock(tmp, host_bench):
    """The report step prints the labelled table from collected runs."""
    args = argparse.Namespace(host_bench=host_bench, simulate_kvm=True,
                              runs=5)
    per_system = {"native": {"native_syscall_sysret": [60.0] * 5},
                  "lamina": {"null_hypercall": [120.0] * 5},
                  "xen": {"null_hypercall": [240.0] * 5},
                  "host": {"host_syscall_getppid": [210.0] * 5}}
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        entries = run_bench.report_wallclock(args, tmp, per_system,
                                             ["null_hypercall"])
    text = buf.getvalue()
    check("report_wallclock", "SIMULATED" in text and
          "120.0 (120.0–120.0)" in text and len(entries) == 3, text)


def main(argv):
    """Run every check; exit 1 if any failed."""
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host-bench", default="build/bench/bench-host")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-selftest-") as tmp:
        test_stats()
        test_collect_runs()
        test_parse_host()
        test_tsc_sysfs(tmp)
        test_tsc_calibration(args.host_bench)
        test_host_syscall(args.host_bench)
        test_ns()
        test_table()
        test_csv(tmp)
        test_plot_data()
        test_qemu_args()
        test_args()
        test_refusal_logic()
        test_kvm_detection(tmp)
        test_refusal_here(os.path.join(tmp, "refusal"))
        test_report_wallclock(tmp, args.host_bench)
    return 1 if RESULTS["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
