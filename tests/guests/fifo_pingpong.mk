# PV test guest fifo_pingpong (see fifo_pingpong.c): FIFO events between two domains.
$(eval $(call md_test_guest,fifo_pingpong))
