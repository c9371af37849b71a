# PV test guest xstate_switch (see xstate_switch.c): each domain's XCR0 and
# AVX/SSE registers survive switches to other domains.
$(eval $(call md_test_guest,xstate_switch))
