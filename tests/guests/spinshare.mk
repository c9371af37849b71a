# PV test guest spinshare (see spinshare.c): the CPU share a spinning domain gets.
$(eval $(call md_test_guest,spinshare))
