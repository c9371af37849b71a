# PV test guest review_iret_hv_selectors (see review_iret_hv_selectors.c).
$(eval $(call test_guest,review_iret_hv_selectors))
