# PV test guest evtmisuse (see evtmisuse.c): event channels misused across domains.
$(eval $(call md_test_guest,evtmisuse))
