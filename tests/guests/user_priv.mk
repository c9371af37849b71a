# PV test guest user_priv (see user_priv.c): privileged instructions from user mode.
$(eval $(call user_test_guest,user_priv))
