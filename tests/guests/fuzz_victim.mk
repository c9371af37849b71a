# PV test guest fuzz_victim (see fuzz_victim.c): heartbeat beside the fuzzer.
$(eval $(call md_test_guest,fuzz_victim))
