"""System-test cases of one isolation area (same dict format as CASES in
tests/system/cases.py, which documents every field)."""

FRAME_RULE_CASES = []

# The frame rule (docs/memory.md): shared_info, the console ring, grant
# frames and a registered vcpu_info can never be pinned, linked or loaded
# as page tables or descriptor pages, nor given back, while the hypervisor
# uses them; the cr2 write after a refused pin maps nothing
# (tests/guests/frame_rule.c). Unprivileged, so the domain has its rings;
# the teardown accounting check prints "BUG" if a frame escaped.
FRAME_RULE_CASES.append({
    "name": "frame-rule-domU",
    "cmdline": "domain0=role=unpriv,mem=64M",
    "modules": [("{build}/tests/guests/frame_rule.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed",
               r"^\(d0\) frame_rule: ring still works$",
               r"^\(d0\) PASS exploit_cr2_no_mapping"],
    "forbid": [r"BUG"],
    "subtests": True,
    "min_subtests": 68,
})

# register_vcpu_info on shared_info's own default slot, then elsewhere:
# the second registration is refused and holds no reference.
FRAME_RULE_CASES.append({
    "name": "frame-rule-vcpu-info-reregister",
    "cmdline": "domain0=role=unpriv,mem=64M",
    "modules": [("{build}/tests/guests/frame_rule.elf", "mode=rereg")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed"],
    "forbid": [r"BUG"],
    "subtests": True,
    "min_subtests": 3,
})
