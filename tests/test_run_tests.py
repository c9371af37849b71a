#!/usr/bin/env python3
"""Self-test of the test infrastructure's pure logic: how tests/run_tests.py
reads test output and judges system cases, and how tools/run builds QEMU's
command line and maps QEMU's exit code back to the hypervisor's status.

Prints "PASS name" / "FAIL name: why" per check, like every Lamina test.
"""

import importlib.machinery
import importlib.util
import os
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, HERE)
import run_tests as rt  # noqa: E402


def load_tools_run():
    """Import tools/run (a script without .py) as a module."""
    path = os.path.join(os.path.dirname(HERE), "tools", "run")
    loader = importlib.machinery.SourceFileLoader("tools_run", path)
    spec = importlib.util.spec_from_loader("tools_run", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def lines_of(results):
    """Report lines of a list of Results."""
    return [r.line() for r in results]


def case(**fields):
    """A normalized case with the given fields over minimal required ones."""
    raw = {"name": "c", "modules": [("m", "")], "expect_status": "poweroff"}
    raw.update(fields)
    return rt.normalize_case(raw)


def check_unit_lines_become_results():
    """Each PASS/FAIL line is one result, named after the program."""
    got = rt.judge_unit("test_x", ["noise", "PASS a", "FAIL b: too big",
                                   "FAIL c", "SKIP d: no disk"], 1)
    want = ["PASS test_x/a", "FAIL test_x/b: too big", "FAIL test_x/c: failed",
            "SKIP test_x/d: no disk"]
    assert lines_of(got) == want, lines_of(got)


def check_unit_crash_without_fail_line():
    """A crash with no FAIL line counts as one failure named after the program."""
    got = rt.judge_unit("test_x", ["PASS a", "==1==ERROR: AddressSanitizer"], -6)
    assert lines_of(got) == ["PASS test_x/a", "FAIL test_x: killed by SIGABRT"], \
        lines_of(got)
    got = rt.judge_unit("test_x", [], 1)
    assert lines_of(got) == ["FAIL test_x: exited with status 1"], lines_of(got)


def check_unit_silent_success_fails():
    """A program that prints no result and exits 0 is a failure."""
    got = rt.judge_unit("test_x", ["hello"], 0)
    assert lines_of(got) == ["FAIL test_x: printed no results"], lines_of(got)


def check_unit_timeout_fails():
    """A program that timed out fails even if it printed PASS lines."""
    got = rt.judge_unit("test_x", ["PASS a"], None)
    assert [r.kind for r in got] == ["PASS", "FAIL"], lines_of(got)


def check_output_lines_strip_cr():
    """Serial output's \\r\\n line ends become plain lines."""
    assert rt.output_lines(b"a\r\nb\n") == ["a", "b", ""]


def check_case_passes():
    """Right status, expected line present, nothing forbidden: no reasons."""
    c = case(expect=[r"^\(d0\) hello"])
    reasons, subs = rt.judge_case(c, 0, ["(lamina) boot", "(d0) hello"])
    assert reasons == [] and subs == [], (reasons, subs)


def check_case_wrong_status_and_missing_line():
    """A wrong end and a missing expected line are both reported."""
    c = case(expect=[r"^\(d0\) hello"])
    reasons, _ = rt.judge_case(c, 124, ["(d0) bye"])
    assert len(reasons) == 2, reasons
    assert "ended with timeout, expected poweroff" in reasons[0], reasons


def check_case_default_forbids():
    """A guest FAIL line or a hypervisor panic fails a case by default."""
    reasons, _ = rt.judge_case(case(), 0, ["(d1) FAIL x: bad"])
    assert any("forbidden" in r for r in reasons), reasons
    reasons, _ = rt.judge_case(case(), 0, ["(lamina) PANIC: oops"])
    assert any("forbidden" in r for r in reasons), reasons
    reasons, _ = rt.judge_case(case(expect_status="panic"), 3,
                               ["(lamina) PANIC: oops"])
    assert reasons == [], reasons


def check_case_subtests():
    """Guest PASS/FAIL lines become results named case/x."""
    c = case(subtests=True)
    reasons, subs = rt.judge_case(c, 0, ["(d0) PASS one", "(d2) FAIL two: why"])
    assert lines_of(subs) == ["PASS c/one", "FAIL c/two: why"], lines_of(subs)
    assert any("forbidden" in r for r in reasons), reasons


def check_case_min_subtests():
    """A subtest case that reports too few checks fails."""
    reasons, _ = rt.judge_case(case(subtests=True), 0, ["(d0) hi"])
    assert any("expected at least 1" in r for r in reasons), reasons
    reasons, _ = rt.judge_case(case(subtests=True, min_subtests=3), 0,
                               ["(d0) PASS a", "(d0) PASS b"])
    assert any("expected at least 3" in r for r in reasons), reasons


def check_case_definition_errors():
    """Typos in a case definition are caught before it runs."""
    for bad in ({"expect_stauts": "poweroff"}, {"expect_status": "halt"},
                {"modules": [("only-a-path",)]}):
        try:
            case(**bad)
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad}")


def check_command_case():
    """A command case needs only name and command, and runs judged as a
    unit program (its lines become "<name>/x" results)."""
    c = rt.normalize_case({"name": "cmd", "command": ["{build}/x", "-v"]})
    assert c["command"] == ["{build}/x", "-v"] and c["timeout"] == 60, c
    for bad in ({"name": "cmd", "command": []},
                {"name": "cmd", "command": "a string"},
                {"command": ["x"]}):
        try:
            rt.normalize_case(bad)
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad}")
    lines = []
    with tempfile.TemporaryDirectory() as build:
        runner = rt.Runner(build)
        os.makedirs(os.path.join(build, "tests", "system"))
        runner.report = lambda results, detail="": \
            lines.extend(r.line() for r in results)
        runner.run_case(rt.normalize_case({
            "name": "cmd", "command": [sys.executable, "-c",
                                       "print('PASS a'); print('SKIP b: no')"]}))
    assert lines == ["PASS cmd/a", "SKIP cmd/b: no"], lines


def check_run_command():
    """Cases become tools/run command lines with {build} substituted."""
    c = case(modules=[("{build}/g.elf", "console=hvc0"), ("{build}/h.elf", "")],
             cmdline="loglvl=all", extra=["-smp 2"])
    cmd = rt.run_command(c, "out")
    assert cmd[cmd.index("--hypervisor") + 1] == "out/hypervisor/lamina.elf"
    modules = [cmd[i + 1] for i, a in enumerate(cmd) if a == "--module"]
    assert modules == ["out/g.elf console=hvc0", "out/h.elf"], modules
    assert "--extra=-smp 2" in cmd and "tcg" in cmd, cmd


def check_audit_on_by_default():
    """Every case boots with audit_frames and forbids audit problems."""
    c = case(cmdline="dom0_mem=64M")
    assert c["cmdline"] == "dom0_mem=64M audit_frames", c["cmdline"]
    reasons, _ = rt.judge_case(c, 0, ["(lamina) frame audit FAILED: d0 x"])
    assert any("forbidden" in r for r in reasons), reasons
    reasons, _ = rt.judge_case(c, 0, ["(lamina) frame audit (end of run): "
                                      "checked 9 frames in 0 domains, 0 problems"])
    assert reasons == [], reasons
    c = case(audit=False)
    assert c["cmdline"] == "", c["cmdline"]
    reasons, _ = rt.judge_case(c, 0, ["(lamina) frame audit FAILED: d0 x"])
    assert reasons == [], reasons


def check_slow_path_twins():
    """Guest cases run again with no_fast_hypercalls; opt-outs do not."""
    raw = [{"name": "a", "modules": [("m", "")], "expect_status": "poweroff",
            "cmdline": "dom0_mem=64M"},
           {"name": "b", "modules": [], "expect_status": "boot-error"},
           {"name": "c", "modules": [("m", "")], "expect_status": "poweroff",
            "slow_path": False},
           {"name": "d", "modules": [("m", "")], "expect_status": "timeout",
            "cmdline": "trace_hypercalls"}]
    got = rt.with_slow_path(raw)
    assert [r["name"] for r in got] == ["a", "a [slow-path]", "b", "c", "d"], got
    twin = rt.normalize_case(got[1])
    assert twin["cmdline"] == "dom0_mem=64M no_fast_hypercalls audit_frames", \
        twin["cmdline"]
    assert raw[0]["cmdline"] == "dom0_mem=64M", raw[0]
    assert rt.log_name("a [slow-path]") == "a_slow-path"
    assert rt.log_name("boot-guest-kernel") == "boot-guest-kernel"


def check_tools_run_exit_mapping():
    """tools/run maps QEMU's exit code status*2+1 back to the status."""
    run = load_tools_run()
    fwd = run.Forwarder(None)
    for status in range(5):
        message, code = run.describe_end(status * 2 + 1, fwd)
        assert code == status and message.startswith(run.STATUS_NAMES[status])
    assert run.describe_end(0, fwd)[1] == 125
    assert run.describe_end(15, fwd)[1] == 126
    fwd.errors.append("qemu-system-x86_64: -bogus: invalid option")
    assert run.describe_end(1, fwd)[1] == 126


def check_tools_run_initrd_commas():
    """Commas inside module arguments are doubled for QEMU's -initrd."""
    run = load_tools_run()
    args = run.parse_args(["--hypervisor", "h", "--module", "a x=1,2",
                           "--module", "b"])
    cmd = run.qemu_command(args, "tcg", False)
    assert cmd[cmd.index("-initrd") + 1] == "a x=1,,2,b", cmd
    assert "-cpu" in cmd and cmd[cmd.index("-cpu") + 1] == "max", cmd


def check_tools_run_kvm_detection():
    """KVM is used only when hardware-backed; kvm_pvm never counts."""
    run = load_tools_run()
    present = set()
    saved = os.path.exists, os.access
    os.path.exists = lambda path: path in present
    os.access = lambda path, mode: True
    try:
        run.read_text = lambda path: "flags\t: fpu vmx sse2\n"
        present.update({"/dev/kvm", "/sys/module/kvm_intel"})
        assert run.kvm_check()[0], run.kvm_check()
        present.add("/sys/module/kvm_pvm")
        assert run.kvm_check() == (False, run.KVM_PVM_REASON), run.kvm_check()
        present.discard("/sys/module/kvm_pvm")
        run.read_text = lambda path: "flags\t: fpu sse2\n"
        assert not run.kvm_check()[0], run.kvm_check()
        run.read_text = lambda path: "flags\t: fpu svm\n"
        present.discard("/sys/module/kvm_intel")
        assert not run.kvm_check()[0], run.kvm_check()
        present.add("/sys/module/kvm_amd")
        assert run.kvm_check()[0], run.kvm_check()
        present.discard("/dev/kvm")
        assert not run.kvm_check()[0], run.kvm_check()
    finally:
        os.path.exists, os.access = saved


def main():
    """Run every check_* function and report each."""
    failed = 0
    for name, fn in sorted(globals().items()):
        if not name.startswith("check_"):
            continue
        short = name[len("check_"):]
        try:
            fn()
            print(f"PASS {short}")
        except Exception as e:  # report any error as this check's failure
            where = traceback.extract_tb(e.__traceback__)[-1].lineno
            print(f"FAIL {short}: line {where}: {type(e).__name__} {e}")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
