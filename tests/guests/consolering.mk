# PV test guest consolering (see consolering.c): the console ring service.
$(eval $(call md_test_guest,consolering))
