# PV test guest gnttab (see gnttab.c).
$(eval $(call test_guest,gnttab))
