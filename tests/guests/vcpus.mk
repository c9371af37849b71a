# PV test guest vcpus (see vcpus.c): several vCPUs in one domain.
$(eval $(call md_test_guest,vcpus))
