# PV test guest review_multicall_hostile (see review_multicall_hostile.c).
$(eval $(call test_guest,review_multicall_hostile))
