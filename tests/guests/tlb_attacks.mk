# PV test guest tlb_attacks (see tlb_attacks.c): stale TLB entries against
# the hypervisor's lazy flushing.
$(eval $(call test_guest,tlb_attacks))
