# PV test guest xen_behaviour (see xen_behaviour.c): mov to/from debug
# registers in the guest kernel, far call/jmp through unusable selectors.
$(eval $(call test_guest,xen_behaviour))
