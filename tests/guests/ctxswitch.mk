# PV test guest ctxswitch (see ctxswitch.c): CPU state across domain switches.
$(eval $(call md_test_guest,ctxswitch))
