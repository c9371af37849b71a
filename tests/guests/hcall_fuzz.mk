# PV test guest hcall_fuzz (see hcall_fuzz.c): the seeded hypercall fuzzer.
$(eval $(call md_test_guest,hcall_fuzz))
