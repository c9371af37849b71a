/*
 * libpv constants shared by C and assembly: the layout of struct
 * pv_trap_frame (see traps.h), pseudo-vectors for callbacks, stack size.
 */
#ifndef LIBPV_ASM_H
#define LIBPV_ASM_H

/* Byte offsets inside struct pv_trap_frame, lowest address first. */
#define PV_FRAME_R15     0
#define PV_FRAME_R14     8
#define PV_FRAME_R13     16
#define PV_FRAME_R12     24
#define PV_FRAME_R11     32
#define PV_FRAME_R10     40
#define PV_FRAME_R9      48
#define PV_FRAME_R8      56
#define PV_FRAME_RBP     64
#define PV_FRAME_RDI     72
#define PV_FRAME_RSI     80
#define PV_FRAME_RDX     88
#define PV_FRAME_RCX     96
#define PV_FRAME_RBX     104
#define PV_FRAME_RAX     112
#define PV_FRAME_VECTOR  120
#define PV_FRAME_ERRCODE 128
#define PV_FRAME_RIP     136   /* from here on: the iret frame */
#define PV_FRAME_CS      144
#define PV_FRAME_RFLAGS  152
#define PV_FRAME_RSP     160
#define PV_FRAME_SS      168
#define PV_FRAME_SIZE    176

/*
 * Exception vectors are 0..255. Callbacks the hypervisor invokes run
 * through the same dispatcher under these pseudo-vectors.
 */
#define PV_VEC_EVENT     256   /* CALLBACKTYPE_event (event upcall) */
#define PV_VEC_FAILSAFE  257   /* CALLBACKTYPE_failsafe */
#define PV_VEC_SYSCALL   258   /* CALLBACKTYPE_syscall (64-bit user syscall) */
#define PV_NR_VECTORS    259

/* Exceptions libpv installs trap-table entries for: 0..PV_NR_EXCEPTIONS-1. */
#define PV_NR_EXCEPTIONS 20

/* Size of the stack pv_entry switches to. */
#define PV_STACK_SIZE    16384

#endif /* LIBPV_ASM_H */
