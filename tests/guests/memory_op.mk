# PV test guest memory_op (see memory_op.c).
$(eval $(call test_guest,memory_op))
