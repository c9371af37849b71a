# PV test guest bad_kernel_stack (see bad_kernel_stack.c): ends in a domain crash.
$(eval $(call user_test_guest,bad_kernel_stack))
