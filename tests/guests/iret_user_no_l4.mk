# PV test guest iret_user_no_l4 (see iret_user_no_l4.c): ends in a domain crash.
$(eval $(call test_guest,iret_user_no_l4))
