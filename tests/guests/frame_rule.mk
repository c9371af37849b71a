# PV test guest frame_rule (see frame_rule.c).
$(eval $(call test_guest,frame_rule))
