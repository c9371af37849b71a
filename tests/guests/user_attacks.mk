# PV test guest user_attacks (see user_attacks.c): trap paths from user mode.
$(eval $(call user_test_guest,user_attacks))
