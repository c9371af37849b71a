# PV test guest db_hypervisor (see db_hypervisor.c).
$(eval $(call test_guest,db_hypervisor))
