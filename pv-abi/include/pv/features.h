/*
 * Lamina PV ABI: feature bits reported by XENVER_get_features (submap 0)
 * and named in the FEATURES ELF note.
 */
#ifndef LAMINA_PV_FEATURES_H
#define LAMINA_PV_FEATURES_H

#define XENFEAT_writable_page_tables        0  /* guest may write its PTEs */
#define XENFEAT_writable_descriptor_tables  1  /* guest may write its GDT/LDT */
#define XENFEAT_auto_translated_physmap     2  /* hypervisor translates pfn->mfn */
#define XENFEAT_supervisor_mode_kernel      3  /* kernel runs in ring 0 */
#define XENFEAT_pae_pgdir_above_4gb         4  /* PAE top level may sit above 4 GiB */
#define XENFEAT_mmu_pt_update_preserve_ad   5  /* MMU_PT_UPDATE_PRESERVE_AD works */
#define XENFEAT_highmem_assist              6  /* MMUEXT_CLEAR/COPY_PAGE work */
#define XENFEAT_gnttab_map_avail_bits       7  /* grant maps keep PTE avail bits */
#define XENFEAT_hvm_callback_vector         8
#define XENFEAT_hvm_safe_pvclock            9
#define XENFEAT_hvm_pirqs                  10
#define XENFEAT_dom0                       11  /* may run as the initial domain */
/* 12 was a deprecated flag and is no longer defined. */
#define XENFEAT_memory_op_vnode_supported  13
#define XENFEAT_ARM_SMCCC_supported        14
#define XENFEAT_linux_rsdp_unrestricted    15
#define XENFEAT_not_direct_mapped          16
#define XENFEAT_direct_mapped              17

/* Number of 32-bit submaps XENVER_get_features can return. */
#define XENFEAT_NR_SUBMAPS 1

#endif /* LAMINA_PV_FEATURES_H */
