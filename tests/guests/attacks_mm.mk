# PV test guest attacks_mm (see attacks_mm.c): page-table attack suite.
$(eval $(call test_guest,attacks_mm))
