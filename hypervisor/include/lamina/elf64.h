/*
 * Minimal ELF64 definitions: just what the PV kernel loader needs.
 *
 * The hypervisor is freestanding, so it cannot use the host's <elf.h>. The
 * field layouts follow the System V gABI; names are prefixed elf64_ / ELF_
 * so they never collide with a host <elf.h> pulled in by a unit test.
 */
#ifndef LAMINA_ELF64_H
#define LAMINA_ELF64_H

#include <stdint.h>

/* e_ident[] indices and values. */
#define ELF_EI_MAG0        0
#define ELF_EI_CLASS       4
#define ELF_EI_DATA        5
#define ELF_EI_VERSION     6
#define ELF_EI_NIDENT      16
#define ELF_CLASS32        1
#define ELF_CLASS64        2
#define ELF_DATA_LSB       1   /* little-endian */

/* e_type */
#define ELF_ET_EXEC        2
#define ELF_ET_DYN         3

/* e_machine */
#define ELF_EM_386         3
#define ELF_EM_X86_64      62

/* p_type */
#define ELF_PT_NULL        0
#define ELF_PT_LOAD        1
#define ELF_PT_NOTE        4

/* p_flags */
#define ELF_PF_X           0x1
#define ELF_PF_W           0x2
#define ELF_PF_R           0x4

/* sh_type */
#define ELF_SHT_NOTE       7

/* File header, at offset 0. */
struct elf64_ehdr {
	unsigned char e_ident[ELF_EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

/* Program header: one loadable segment or note area. */
struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

/* Section header (only SHT_NOTE sections are looked at). */
struct elf64_shdr {
	uint32_t sh_name;
	uint32_t sh_type;
	uint64_t sh_flags;
	uint64_t sh_addr;
	uint64_t sh_offset;
	uint64_t sh_size;
	uint32_t sh_link;
	uint32_t sh_info;
	uint64_t sh_addralign;
	uint64_t sh_entsize;
};

/* Note header; name and descriptor follow, each padded to 4 bytes. */
struct elf64_nhdr {
	uint32_t n_namesz;
	uint32_t n_descsz;
	uint32_t n_type;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 phdr is 56 bytes");
_Static_assert(sizeof(struct elf64_shdr) == 64, "ELF64 shdr is 64 bytes");
_Static_assert(sizeof(struct elf64_nhdr) == 12, "ELF note header is 12 bytes");

#endif
