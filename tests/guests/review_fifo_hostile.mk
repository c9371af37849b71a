# PV test guest review_fifo_hostile (see review_fifo_hostile.c).
$(eval $(call test_guest,review_fifo_hostile))
