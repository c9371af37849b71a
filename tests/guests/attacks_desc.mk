# PV test guest attacks_desc (see attacks_desc.c): descriptor-table and
# multicall attack suite.
$(eval $(call test_guest,attacks_desc))
