# PV test guest schedbound (see schedbound.c): timers, hypercall bounds and permission checks under attack.
$(eval $(call md_test_guest,schedbound))
