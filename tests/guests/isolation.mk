# PV test guest isolation (see isolation.c): looping, flooding, crashing domains.
$(eval $(call md_test_guest,isolation))
