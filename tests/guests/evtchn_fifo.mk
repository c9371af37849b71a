# PV test guest evtchn_fifo (see evtchn_fifo.c).
$(eval $(call test_guest,evtchn_fifo))
