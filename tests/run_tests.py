#!/usr/bin/env python3
"""Run every Lamina test: host unit tests, then system tests in QEMU.

usage: tests/run_tests.py --build DIR [--only SUBSTR] [-j N]

Unit tests are the executables $BUILD/tests/unit/test_* (plus this runner's
own self-test, tests/test_run_tests.py). Each prints "PASS name" and
"FAIL name: why" lines (and optionally "SKIP name: why"); each line is one
result, reported as "<program>/<name>".

System tests are declared in tests/system/cases.py (its docstring documents
the format) and run through tools/run under TCG, N at a time. Every case
boots with the hypervisor's frame audit on (audit_frames; any reported
problem fails the case), and every case that runs guests runs a second time
with the fast hypercall path off (no_fast_hypercalls), as "<name> [slow-path]".

Prints one PASS/FAIL/SKIP line per result as results come, then exactly one
summary line "N passed, N failed" (", N skipped" when something was skipped).
Exits 0 iff nothing failed.
"""

import argparse
import concurrent.futures
import importlib.util
import os
import re
import shlex
import signal
import subprocess
import sys
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS_RUN = os.path.join(ROOT, "tools", "run")
CASES_FILE = os.path.join(ROOT, "tests", "system", "cases.py")
SELF_TEST = os.path.join(ROOT, "tests", "test_run_tests.py")

UNIT_TIMEOUT = 300
LOG_TAIL_LINES = 30



def load_run_end_words():
    """{word: status} of the hypervisor's end-of-run codes, from its one
    table (hypervisor/include/lamina/run_end.h, read as tools/run does)."""
    path = os.path.join(ROOT, "hypervisor", "include", "lamina", "run_end.h")
    with open(path) as f:
        entries = re.findall(r'RUN_END\(\s*\w+,\s*(\d+),\s*"([^"]+)"', f.read())
    return {word: int(status) for status, word in entries}


# tools/run's exit status for each way a run can end: the hypervisor's
# codes, and tools/run's own for a timeout.
END_STATUS = dict(load_run_end_words(), timeout=124)
END_NAME = {code: name for name, code in END_STATUS.items()}
END_NAME.update({125: "QEMU quit", 126: "launch failure"})

CASE_DEFAULTS = {
    "cmdline": "", "memory": "512M", "timeout": 60, "expect": [],
    "forbid": [], "subtests": False, "min_subtests": None,
    "hypervisor": "{build}/hypervisor/lamina.elf", "extra": [], "skip": "",
    "expect_count": [], "input": [],
    "audit": True, "slow_path": True,
    "command": None,
}
CASE_REQUIRED = ("name", "modules", "expect_status")

RESULT_LINE = re.compile(r"^(PASS|FAIL|SKIP) (.*)$")
GUEST_RESULT_LINE = re.compile(r"^\(d\d+\) (PASS|FAIL|SKIP) (.*)$")
GUEST_FAIL = r"^\(d\d+\) FAIL"
HYPERVISOR_PANIC = r"^\(lamina\) PANIC"
AUDIT_OPTION = "audit_frames"
AUDIT_PROBLEM = r"^\(lamina\) frame audit FAILED"
SLOW_PATH_OPTION = "no_fast_hypercalls"
SLOW_PATH_SUFFIX = " [slow-path]"


class Result:
    """One test outcome: kind is PASS, FAIL or SKIP."""

    def __init__(self, kind, name, why=""):
        self.kind, self.name, self.why = kind, name, why

    def line(self):
        """The report line for this result."""
        return f"{self.kind} {self.name}: {self.why}" if self.why else \
            f"{self.kind} {self.name}"


def parse_result(kind, rest, prefix):
    """Make a Result from 'PASS name' / 'FAIL name: why' text after kind."""
    name, sep, why = rest.partition(": ")
    if not sep and kind == "FAIL":
        why = "failed"
    return Result(kind, f"{prefix}/{name.strip()}", why.strip())


def output_lines(data):
    """Split captured output into lines without line ends or stray \\r."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) \
        else data
    return [line.rstrip("\r") for line in text.split("\n")]


def describe_exit(code):
    """Say how a process ended, from a subprocess return code."""
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with status {code}"


def judge_unit(program, lines, code):
    """Turn a unit test program's output and exit code into Results.

    code is the subprocess return code, or None if the program timed out.
    """
    results = []
    for line in lines:
        m = RESULT_LINE.match(line)
        if m:
            results.append(parse_result(m.group(1), m.group(2), program))
    failed = any(r.kind == "FAIL" for r in results)
    if code is None:
        results.append(Result("FAIL", program,
                              f"timed out after {UNIT_TIMEOUT} s"))
    elif code != 0 and not failed:
        results.append(Result("FAIL", program, describe_exit(code)))
    elif code == 0 and not results:
        results.append(Result("FAIL", program, "printed no results"))
    return results


def tail(lines, count=LOG_TAIL_LINES):
    """The last count non-trailing lines, indented so no parser mistakes them."""
    while lines and not lines[-1]:
        lines = lines[:-1]
    return "".join(f"    | {line}\n" for line in lines[-count:])


def run_unit(path, log_dir):
    """Run one unit test program; return (Results, output tail to show)."""
    program = os.path.basename(path)
    if program.endswith(".py"):
        cmd = [sys.executable, path]
    else:
        cmd = [path]
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=UNIT_TIMEOUT, cwd=ROOT)
        output, code = proc.stdout, proc.returncode
    except subprocess.TimeoutExpired as e:
        output, code = e.stdout or b"", None
    except OSError as e:
        return [Result("FAIL", program, f"cannot run: {e.strerror}")], ""
    with open(os.path.join(log_dir, program + ".log"), "wb") as f:
        f.write(output)
    lines = output_lines(output)
    results = judge_unit(program, lines, code)
    # FAIL lines explain themselves; show the output when the program did not.
    program_failed = any(r.name == program for r in results)
    return results, tail(lines) if program_failed else ""


def unit_programs(build, only):
    """Paths of the unit test programs to run, sorted by name."""
    unit_dir = os.path.join(build, "tests", "unit")
    paths = []
    if os.path.isdir(unit_dir):
        for name in sorted(os.listdir(unit_dir)):
            path = os.path.join(unit_dir, name)
            if name.startswith("test_") and os.path.isfile(path) and \
                    os.access(path, os.X_OK) and not name.endswith(".log"):
                paths.append(path)
    if os.path.isfile(SELF_TEST):
        paths.insert(0, SELF_TEST)
    return [p for p in paths if not only or only in os.path.basename(p)]


def load_cases(path):
    """Import the CASES list from a cases.py file (which may import siblings)."""
    sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec = importlib.util.spec_from_file_location("system_cases", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.CASES)


def normalize_case(raw):
    """Check a case dict and fill in defaults; raise ValueError if malformed."""
    problems = []
    unknown = sorted(set(raw) - set(CASE_DEFAULTS) - set(CASE_REQUIRED))
    if unknown:
        problems.append(f"unknown field(s) {', '.join(unknown)}")
    missing = [k for k in CASE_REQUIRED if k not in raw]
    if missing:
        problems.append(f"missing field(s) {', '.join(missing)}")
    if "command" in raw and raw["command"] is not None:
        # A command case: only name and command are used.
        problems = [p for p in problems if not p.startswith("missing")]
        if not raw.get("name"):
            problems.append("missing field(s) name")
    if problems:
        raise ValueError("; ".join(problems))
    case = dict(CASE_DEFAULTS, **raw)
    if case["command"] is not None:
        if not isinstance(case["command"], list) or not case["command"]:
            raise ValueError("command is not a non-empty list")
        return case
    if case["expect_status"] not in END_STATUS:
        raise ValueError(f"bad expect_status {case['expect_status']!r}")
    if not case["modules"] and case["expect_status"] != "boot-error":
        raise ValueError("no modules")
    for module in case["modules"]:
        if len(module) != 2:
            raise ValueError(f"module {module!r} is not (path, args)")
    if case["min_subtests"] is None:
        case["min_subtests"] = 1 if case["subtests"] else 0
    forbid = list(case["forbid"]) + [GUEST_FAIL]
    if case["expect_status"] != "panic":
        forbid.append(HYPERVISOR_PANIC)
    if case["audit"]:
        case["cmdline"] = join_options(case["cmdline"], AUDIT_OPTION)
        forbid.append(AUDIT_PROBLEM)
    case["forbid"] = forbid
    for pattern in list(case["expect"]) + forbid:
        re.compile(pattern)
    return case


def join_options(cmdline, option):
    """cmdline with one more hypervisor option appended."""
    return f"{cmdline} {option}" if cmdline else option


def wants_slow_path(raw):
    """Whether a case also runs with the fast hypercall path off: not when it
    opts out, boots nothing through tools/run (command cases), runs no guest
    (boot errors), or is already off (tracing)."""
    return bool(raw.get("slow_path", True)) and \
        raw.get("command") is None and \
        raw.get("expect_status") != "boot-error" and \
        "trace_hypercalls" not in raw.get("cmdline", "").split() and \
        SLOW_PATH_OPTION not in raw.get("cmdline", "").split()


def with_slow_path(raw_cases):
    """Each case, followed by its slow-path twin when it wants one."""
    out = []
    for raw in raw_cases:
        out.append(raw)
        if isinstance(raw, dict) and wants_slow_path(raw):
            twin = dict(raw, name=str(raw.get("name", "?")) + SLOW_PATH_SUFFIX,
                        cmdline=join_options(raw.get("cmdline", ""),
                                             SLOW_PATH_OPTION))
            out.append(twin)
    return out


def log_name(name):
    """A case name made safe as a file name ("x [slow-path]" -> "x_slow-path")."""
    return re.sub(r"[^A-Za-z0-9_.+-]+", "_", name).strip("_")


def substitute_build(text, build):
    """Replace "{build}" with the build directory."""
    return text.replace("{build}", build)


def run_command(case, build):
    """The tools/run command line for a case."""
    cmd = [TOOLS_RUN, "--accel", "tcg",
           "--hypervisor", substitute_build(case["hypervisor"], build),
           "--memory", str(case["memory"]),
           "--timeout", str(case["timeout"])]
    if case["cmdline"]:
        cmd += ["--cmdline", case["cmdline"]]
    for path, args in case["modules"]:
        module = substitute_build(path, build)
        if args:
            module += " " + substitute_build(args, build)
        cmd += ["--module", module]
    for extra in case["extra"]:
        cmd.append("--extra=" + extra)
    for pattern, text in case["input"]:
        cmd += ["--input-after", pattern, text]
    return cmd


def judge_case(case, code, lines):
    """Decide a system case from tools/run's exit code and the output lines.

    Returns (reasons the case failed, subtest Results).
    """
    reasons = []
    ended = END_NAME.get(code, f"exit status {code}")
    if code != END_STATUS[case["expect_status"]]:
        reasons.append(f"ended with {ended}, expected {case['expect_status']}")
    for pattern in case["expect"]:
        if not any(re.search(pattern, line) for line in lines):
            reasons.append(f"no line matches {pattern!r}")
    for pattern, want in case["expect_count"]:
        got = sum(1 for line in lines if re.search(pattern, line))
        if got != want:
            reasons.append(f"{got} lines match {pattern!r}, expected {want}")
    for pattern in case["forbid"]:
        hit = next((line for line in lines if re.search(pattern, line)), None)
        if hit is not None:
            reasons.append(f"forbidden line: {hit.strip()!r}")
    subtests = []
    for line in lines:
        m = GUEST_RESULT_LINE.match(line)
        if m:
            subtests.append(parse_result(m.group(1), m.group(2), case["name"]))
    counted = sum(1 for r in subtests if r.kind != "SKIP")
    if counted < case["min_subtests"]:
        reasons.append(f"{counted} guest PASS/FAIL lines, expected at least "
                       f"{case['min_subtests']}")
    return reasons, subtests if case["subtests"] else []


class Runner:
    """Runs cases, reports results, and kills leftover tools/run on exit."""

    def __init__(self, build):
        self.build = build
        self.lock = threading.Lock()
        self.children = set()
        self.stopping = False
        self.counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}

    def report(self, results, detail=""):
        """Print results (and detail after any failure) as one block."""
        with self.lock:
            for r in results:
                self.counts[r.kind] += 1
                print(r.line())
            if detail and any(r.kind == "FAIL" for r in results):
                print(detail, end="")
            sys.stdout.flush()

    def run_command_case(self, case):
        """Run a command case; judged like a unit test program."""
        log_path = os.path.join(self.build, "tests", "system",
                                case["name"] + ".log")
        cmd = [substitute_build(a, self.build) for a in case["command"]]
        with open(log_path, "wb") as log:
            log.write(("$ " + shlex.join(cmd) + "\n").encode())
            log.flush()
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, cwd=ROOT,
                                    start_new_session=True)
            with self.lock:
                self.children.add(proc)
                if self.stopping:
                    proc.terminate()
            try:
                code = proc.wait(timeout=float(case["timeout"]))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                code = None
            finally:
                with self.lock:
                    self.children.discard(proc)
        with open(log_path, "rb") as log:
            lines = output_lines(log.read())[1:]
        if self.stopping:
            return
        results = judge_unit(case["name"], lines, code)
        failed = any(r.kind == "FAIL" for r in results)
        detail = f"    log: {log_path}\n" + tail(lines) if failed else ""
        self.report(results, detail)

    def run_case(self, case):
        """Boot one system case; report it and its subtests."""
        if case["command"] is not None:
            self.run_command_case(case)
            return
        log_dir = os.path.join(self.build, "tests", "system")
        log_path = os.path.join(log_dir, log_name(case["name"]) + ".log")
        cmd = run_command(case, self.build)
        with open(log_path, "wb") as log:
            log.write(("$ " + shlex.join(cmd) + "\n").encode())
            log.flush()
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, cwd=ROOT)
            with self.lock:
                self.children.add(proc)
                if self.stopping:
                    proc.terminate()
            try:
                code = proc.wait(timeout=float(case["timeout"]) + 30)
            except subprocess.TimeoutExpired:
                proc.terminate()
                code = proc.wait()
                log.write(b"run_tests: tools/run itself hung; terminated\n")
            finally:
                with self.lock:
                    self.children.discard(proc)
        with open(log_path, "rb") as log:
            lines = output_lines(log.read())
        if self.stopping:
            return
        reasons, subtests = judge_case(case, code, lines[1:])
        verdict = Result("FAIL", case["name"], "; ".join(reasons)) if reasons \
            else Result("PASS", case["name"])
        detail = f"    log: {log_path}\n" + tail(lines) if reasons else ""
        self.report(subtests + [verdict], detail)

    def kill_children(self):
        """Stop any tools/run still running (each kills its own QEMU)."""
        with self.lock:
            self.stopping = True
            children = list(self.children)
        for proc in children:
            if proc.poll() is None:
                proc.terminate()
        for proc in children:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def run_units(runner, only):
    """Run the unit test programs one after another."""
    log_dir = os.path.join(runner.build, "tests", "unit")
    os.makedirs(log_dir, exist_ok=True)
    for path in unit_programs(runner.build, only):
        results, detail = run_unit(path, log_dir)
        runner.report(results, detail)


def run_system(runner, cases_file, only, jobs):
    """Run the matching system cases from cases_file, jobs at a time."""
    os.makedirs(os.path.join(runner.build, "tests", "system"), exist_ok=True)
    try:
        raw_cases = load_cases(cases_file)
    except Exception as e:  # any error in cases.py is one failure
        runner.report([Result("FAIL", "system/cases.py", f"cannot load: {e}")])
        return
    cases = []
    for raw in with_slow_path(raw_cases):
        name = raw.get("name", "?") if isinstance(raw, dict) else "?"
        if only and only not in name:
            continue
        try:
            case = normalize_case(raw)
        except (ValueError, TypeError, re.error) as e:
            runner.report([Result("FAIL", name, f"bad case definition: {e}")])
            continue
        if case["skip"]:
            runner.report([Result("SKIP", name, case["skip"])])
        else:
            cases.append(case)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)
    try:
        for future in [pool.submit(runner.run_case, c) for c in cases]:
            future.result()
    finally:
        # On Ctrl-C or SIGTERM: stop the running cases before waiting for them.
        if sys.exc_info()[0] is not None:
            runner.kill_children()
        pool.shutdown(wait=True, cancel_futures=True)


def parse_args(argv):
    """Parse the command line."""
    p = argparse.ArgumentParser(
        description="Run Lamina's unit tests and system tests.")
    p.add_argument("--build", default="build",
                   help="build directory (default build)")
    p.add_argument("--only", metavar="SUBSTR",
                   help="run only unit programs and system cases whose "
                        "name contains SUBSTR")
    p.add_argument("--cases", default=CASES_FILE, metavar="FILE",
                   help="system case list (default tests/system/cases.py)")
    p.add_argument("-j", "--jobs", type=int, default=2, metavar="N",
                   help="system cases run in parallel (default 2)")
    args = p.parse_args(argv)
    if args.jobs < 1:
        p.error("-j must be at least 1")
    return args


def raise_keyboard_interrupt(signum, _frame):
    """Treat SIGTERM like Ctrl-C so the cleanup runs."""
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main(argv):
    """Run the tests and print the summary; return the exit status."""
    args = parse_args(argv)
    runner = Runner(args.build)
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    try:
        run_units(runner, args.only)
        run_system(runner, args.cases, args.only, args.jobs)
        if not sum(runner.counts.values()):
            runner.report([Result("FAIL", "run_tests",
                                  f"no test matches {args.only!r}")])
    except KeyboardInterrupt:
        runner.report([Result("FAIL", "run_tests", "interrupted")])
    finally:
        runner.kill_children()
    c = runner.counts
    summary = f"{c['PASS']} passed, {c['FAIL']} failed"
    if c["SKIP"]:
        summary += f", {c['SKIP']} skipped"
    print(summary, flush=True)
    return 1 if c["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
