/*
 * Multiboot (version 1) information, as QEMU's -kernel loader and GRUB
 * provide it. Read through the boot-time direct map of the first 4 GiB,
 * where the loader always places it.
 */
#include <stdint.h>
#include <lamina/boot_info.h>
#include <lamina/config.h>
#include <lamina/console.h>
#include <lamina/lib.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002
#define MBI_FLAG_CMDLINE  (1u << 2)
#define MBI_FLAG_MODS     (1u << 3)
#define MBI_FLAG_MMAP     (1u << 6)

struct __attribute__((packed)) mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
};

struct __attribute__((packed)) mb_module {
	uint32_t mod_start, mod_end, string, reserved;
};

struct __attribute__((packed)) mb_mmap_entry {
	uint32_t size;
	uint64_t base, length;
	uint32_t type;
};

struct boot_info boot_info;

/* Copy a loader string (physical address) into a bounded buffer. */
static void copy_phys_string(char *dst, size_t size, uint32_t phys)
{
	const char *src = maddr_to_virt(phys);
	size_t i = 0;

	if (!phys) {
		dst[0] = '\0';
		return;
	}
	for (; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

const char *multiboot_parse(uint32_t magic, uint64_t info_phys)
{
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		return "not started by a multiboot loader";
	const struct mb_info *mbi = maddr_to_virt(info_phys);

	if (mbi->flags & MBI_FLAG_CMDLINE) {
		/* The loader's command line starts with the image's own name. */
		char *s = boot_info.cmdline;
		copy_phys_string(s, sizeof(boot_info.cmdline), mbi->cmdline);
		size_t skip = 0;
		while (s[skip] && s[skip] != ' ')
			skip++;
		while (s[skip] == ' ')
			skip++;
		memmove(s, s + skip, strlen(s + skip) + 1);
	}

	if (!(mbi->flags & MBI_FLAG_MMAP))
		return "the boot loader gave no memory map";
	uint64_t p = mbi->mmap_addr, end = p + mbi->mmap_length;
	while (p + sizeof(struct mb_mmap_entry) <= end &&
	       boot_info.nr_regions < MAX_MEMORY_REGIONS) {
		const struct mb_mmap_entry *e = maddr_to_virt(p);
		struct memory_region *r = &boot_info.regions[boot_info.nr_regions++];
		r->start = e->base;
		r->end = e->base + e->length;
		r->type = e->type;
		p += e->size + sizeof(e->size);
	}

	if (mbi->flags & MBI_FLAG_MODS) {
		const struct mb_module *m = maddr_to_virt(mbi->mods_addr);
		for (uint32_t i = 0; i < mbi->mods_count && i < MAX_MODULES; i++) {
			struct boot_module *bm = &boot_info.modules[i];
			bm->start = m[i].mod_start;
			bm->end = m[i].mod_end;
			copy_phys_string(bm->cmdline, sizeof(bm->cmdline),
					 m[i].string);
			boot_info.nr_modules++;
		}
		if (mbi->mods_count > MAX_MODULES)
			printk("warning: %u modules given, only %u used\n",
			       mbi->mods_count, MAX_MODULES);
	}
	return NULL;
}
