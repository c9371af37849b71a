# PV test guest no_handler (see no_handler.c).
$(eval $(call test_guest,no_handler))
