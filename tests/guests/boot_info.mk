# PV test guest boot_info (see boot_info.c).
$(eval $(call test_guest,boot_info))
