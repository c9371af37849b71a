# PV test guest iret_noncanonical (see iret_noncanonical.c): ends in a domain crash.
$(eval $(call test_guest,iret_noncanonical))
