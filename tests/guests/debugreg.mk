# PV test guest debugreg (see debugreg.c).
$(eval $(call test_guest,debugreg))
