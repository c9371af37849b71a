# PV test guest wallclock (see wallclock.c): wall clock vs the host date.
$(eval $(call md_test_guest,wallclock))
