# PV test guest pingpong (see pingpong.c): events between two domains.
$(eval $(call md_test_guest,pingpong))
