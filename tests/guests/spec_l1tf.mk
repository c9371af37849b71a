# PV test guest spec_l1tf (see spec_l1tf.c).
$(eval $(call test_guest,spec_l1tf))
