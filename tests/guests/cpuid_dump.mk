# PV test guest cpuid_dump (see cpuid_dump.c).
$(eval $(call test_guest,cpuid_dump))
