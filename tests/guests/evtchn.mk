# PV test guest evtchn (see evtchn.c).
$(eval $(call test_guest,evtchn))
