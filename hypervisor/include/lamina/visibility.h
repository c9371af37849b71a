/*
 * Included first in every hypervisor file (build.mk: -include). The image is
 * position-independent code linked statically: marking every declaration
 * hidden makes the compiler address symbols RIP-relatively instead of
 * through a GOT, which a static link has no use for.
 */
#pragma GCC visibility push(hidden)
