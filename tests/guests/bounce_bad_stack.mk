# PV test guest bounce_bad_stack (see bounce_bad_stack.c): ends in a domain crash.
$(eval $(call test_guest,bounce_bad_stack))
