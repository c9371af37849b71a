# PV test guest bad_poll_console (see bad_poll_console.c).
$(eval $(call test_guest,bad_poll_console))
