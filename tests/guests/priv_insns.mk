# PV test guest priv_insns (see priv_insns.c).
$(eval $(call test_guest,priv_insns))
