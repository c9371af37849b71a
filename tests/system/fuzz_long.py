"""The long fuzzer run (`make fuzz`): a case list for tests/run_tests.py
--cases, in the same dict format as tests/system/cases.py.

Environment: FUZZ_SEEDS (space-separated, default "1 2 3 4"), FUZZ_CALLS
(calls per seed, default 1000000), FUZZ_HOLES (the fuzzer's known-hole
mask, default its own). Each seed runs on the fast and the slow hypercall
path, with the frame audit on, like every case of `make test`.
"""

import os

from fuzz_cases import fuzz_case

_SEEDS = [int(s, 0) for s in os.environ.get("FUZZ_SEEDS", "1 2 3 4").split()]
_CALLS = int(os.environ.get("FUZZ_CALLS", "1000000"), 0)
_HOLES = os.environ.get("FUZZ_HOLES", "")

CASES = [fuzz_case(seed, _CALLS, timeout=120 + _CALLS // 1000, holes=_HOLES,
                   prefix="fuzz-long")
         for seed in _SEEDS]
