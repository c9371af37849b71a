# PV test guest mmu_batch (see mmu_batch.c).
$(eval $(call test_guest,mmu_batch))
