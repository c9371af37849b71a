/*
 * The PV domain builder: from an ELF kernel in a boot module to a vCPU ready
 * to run, in the layout xen.h describes for the start of day:
 *   kernel | p2m list | start_info | (domU: xenstore, console) |
 *   bootstrap page tables (read-only) | boot stack | padding to 4 MiB
 * all mapped from virt_base onto pseudo-physical frames 0, 1, 2, ...
 * The layout arithmetic lives in boot_layout.c and the page-table writer in
 * boot_pagetables.c (both pure, unit tested); this file allocates machine
 * frames, copies, and fills in the structures.
 */
#include <lamina/arch.h>
#include <lamina/boot_layout.h>
#include <lamina/boot_pagetables.h>
#include <lamina/config.h>
#include <lamina/console.h>
#include <lamina/domain_build.h>
#include <lamina/elf_image.h>
#include <lamina/lib.h>
#include <lamina/mm.h>
#include <lamina/pv_mm.h>
#include <lamina/schedule.h>
#include <lamina/vcpu_op.h>
#include <lamina/event.h>
#include <pv/xen.h>
#include <pv/errno.h>
#include <asm/cpu.h>
#include <asm/traps.h>

#define PAGES(bytes)  (((bytes) + PAGE_SIZE - 1) >> PAGE_SHIFT)

/* FEATURES a kernel may require and Lamina provides today. */
static uint32_t supported_features(bool initial)
{
	/* writable_page_tables: direct stores to L1 tables, emulated (ptwr). */
	uint32_t f = (1u << PV_FEAT_PAE_PGDIR_ABOVE_4GB) |
		     (1u << PV_FEAT_WRITABLE_PAGE_TABLES);
	if (initial)
		f |= 1u << PV_FEAT_DOM0;
	return f;
}

static void *map_frame(void *ctx, mfn_t mfn)
{
	(void)ctx;
	return mfn < max_mfn ? mfn_to_virt(mfn) : NULL;
}

/* Pointer to the byte at guest virtual va of the initial mapping. */
static void *initial_va_ptr(const struct domain *d,
			    const struct pv_boot_layout *l, uint64_t va)
{
	uint64_t pfn = (va - l->v_start) >> PAGE_SHIFT;

	/* The layout code keeps everything inside; a miss is a builder bug. */
	if (va < l->v_start || pfn >= d->nr_pages)
		panic("domain builder: %#lx is outside the initial mapping", va);
	return (char *)mfn_to_virt(d->p2m[pfn]) + (va & (PAGE_SIZE - 1));
}

/* Copy bytes into the initial mapping, page by page. */
static void copy_to_initial(const struct domain *d,
			    const struct pv_boot_layout *l, uint64_t va,
			    const uint8_t *src, uint64_t len)
{
	while (len) {
		uint64_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		memcpy(initial_va_ptr(d, l, va), src, chunk);
		va += chunk;
		src += chunk;
		len -= chunk;
	}
}

/* Xen's 64-bit hypercall page: 128 stubs of 32 bytes, iret special. */
static void write_hypercall_page(uint8_t *page)
{
	memset(page, 0xcc, PAGE_SIZE);
	for (unsigned int i = 0; i < PAGE_SIZE / 32; i++) {
		uint8_t *p = page + i * 32;
		if (i == __HYPERVISOR_iret) {
			/* push %rcx; push %r11; push %rax; mov $23,%eax; syscall */
			static const uint8_t iret_stub[] = {
				0x51, 0x41, 0x53, 0x50, 0xb8, 0x17, 0, 0, 0,
				0x0f, 0x05 };
			memcpy(p, iret_stub, sizeof(iret_stub));
			continue;
		}
		/* push %rcx; push %r11; mov $i,%eax; syscall; pop %r11; pop %rcx; ret */
		const uint8_t stub[] = { 0x51, 0x41, 0x53, 0xb8, (uint8_t)i, 0, 0, 0,
					 0x0f, 0x05, 0x41, 0x5b, 0x59, 0xc3 };
		memcpy(p, stub, sizeof(stub));
	}
}

/* The domain's command line: the module string minus its first word. */
static const char *module_args(const char *s)
{
	while (*s && *s != ' ')
		s++;
	while (*s == ' ')
		s++;
	return s;
}

static void fill_start_info(struct domain *d, const struct pv_boot_layout *l,
			    const struct domain_config *cfg)
{
	struct start_info *si = initial_va_ptr(d, l, l->start_info_start);

	snprintf(si->magic, sizeof(si->magic), "xen-3.0-x86_64");
	si->nr_pages = d->nr_pages;
	si->shared_info = d->shared_info_mfn << PAGE_SHIFT;
	si->flags = (cfg->privileged ? SIF_PRIVILEGED : 0) |
		    (cfg->initial ? SIF_INITDOMAIN : 0);
	if (!cfg->initial) {
		si->store_mfn = d->xenstore_mfn;
		si->store_evtchn = d->xenstore_port;
		si->console.domU.mfn = d->console_mfn;
		si->console.domU.evtchn = d->console_port;
	}
	si->pt_base = l->pt_start;
	si->nr_pt_frames = l->nr_pt_frames;
	si->mfn_list = l->p2m_start;
	si->first_p2m_pfn = l->first_p2m_pfn;
	si->nr_p2m_frames = l->nr_p2m_frames;
	snprintf((char *)si->cmd_line, sizeof(si->cmd_line), "%s", d->cmdline);
}

/*
 * An unprivileged domain gets, as under Xen's toolstack, a xenstore ring
 * page and a console ring page in its start-of-day layout, each with an
 * event channel. The hypervisor serves the console ring, so that frame
 * holds a writable reference until the domain ends (the frame rule). The
 * hypervisor never touches the xenstore ring (a xenstore service in a
 * domain will), so it stays an ordinary page of the guest's.
 */
static int setup_domU_rings(struct domain *d, const struct pv_boot_layout *l)
{
	int port;

	d->xenstore_mfn = d->p2m[l->xenstore_pfn];
	if ((port = arch_get_writable_frame_ref(d, d->p2m[l->console_pfn])))
		return port;
	d->console_mfn = d->p2m[l->console_pfn];
	if ((port = evtchn_alloc_hypervisor_port(d, NULL)) < 0)
		return port;
	d->xenstore_port = (unsigned int)port;
	if ((port = evtchn_alloc_hypervisor_port(d, console_ring_notified)) < 0)
		return port;
	d->console_port = (unsigned int)port;
	return 0;
}

/* Undo a half-built domain. */
static struct domain *build_failed(struct domain *d)
{
	for (uint64_t pfn = 0; d->p2m && pfn < d->nr_pages; pfn++)
		if (d->p2m[pfn] != INVALID_MFN)
			free_frames(d->p2m[pfn], 1);
	if (d->shared_info_mfn)
		free_frames(d->shared_info_mfn, 1);
	domains[d->domain_id] = NULL;
	/* The xenheap pages of d, its vCPU and p2m are leaked: boot is ending. */
	return NULL;
}

struct domain *arch_build_domain(const struct boot_module *mod,
			       const struct domain_config *cfg,
			       char *err, size_t errlen)
{
	const uint8_t *image = maddr_to_virt(mod->start);
	uint64_t size = mod->end - mod->start;
	struct elf_image img;
	struct pv_boot_layout l;
	char why[160];

	if (mod->end <= mod->start) {
		snprintf(err, errlen, "module is empty");
		return NULL;
	}
	if (elf_image_parse(image, size, &img, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "bad kernel image: %s", why);
		return NULL;
	}
	uint32_t missing = img.features_required & ~supported_features(cfg->initial);
	if (missing) {
		snprintf(err, errlen, "kernel requires features %#x that Lamina does not provide",
			 missing);
		return NULL;
	}

	uint64_t nr_pages = cfg->memory_bytes >> PAGE_SHIFT;
	if (nr_pages + 64 > frame_alloc_free_count(&frame_allocator)) {
		snprintf(err, errlen, "domain needs %lu MiB but only %lu MiB are free",
			 cfg->memory_bytes >> 20,
			 frame_alloc_free_count(&frame_allocator) >> 8);
		return NULL;
	}
	if (pv_boot_layout_compute(&img, nr_pages, cfg->initial, 0, &l, why,
				   sizeof(why)) < 0) {
		snprintf(err, errlen, "cannot lay out the domain: %s", why);
		return NULL;
	}

	struct domain *d = domain_alloc(cfg->domain_id, cfg->name);
	if (!d || domain_alloc_vcpus(d, cfg->vcpus ? cfg->vcpus : 1) ||
	    !(d->p2m = alloc_xenheap(nr_pages * sizeof(uint64_t)))) {
		snprintf(err, errlen, "out of hypervisor memory");
		return d ? build_failed(d) : NULL;
	}
	snprintf(d->cmdline, sizeof(d->cmdline), "%s", module_args(mod->cmdline));
	d->privileged = cfg->privileged;
	d->initial = cfg->initial;
	d->weight = cfg->weight;
	d->cap = cfg->cap;
	if (evtchn_domain_init(d)) {
		snprintf(err, errlen, "out of memory for event channels");
		return build_failed(d);
	}
	d->max_pages = nr_pages;

	/* Machine frames, one at a time: guests never rely on contiguity. */
	for (uint64_t pfn = 0; pfn < nr_pages; pfn++)
		d->p2m[pfn] = INVALID_MFN;
	d->nr_pages = nr_pages;
	for (uint64_t pfn = 0; pfn < nr_pages; pfn++) {
		uint64_t mfn = alloc_frames(1, d->domain_id);
		if (mfn == INVALID_MFN) {
			snprintf(err, errlen, "out of memory for the domain");
			return build_failed(d);
		}
		d->p2m[pfn] = mfn;
		m2p_table[mfn] = pfn;
		frame_get_ref(mfn_to_frame(mfn));       /* the allocation's own */
	}
	d->shared_info_mfn = alloc_frames(1, d->domain_id);
	if (d->shared_info_mfn == INVALID_MFN) {
		d->shared_info_mfn = 0;
		snprintf(err, errlen, "out of memory for shared_info");
		return build_failed(d);
	}
	d->shared_info = mfn_to_virt(d->shared_info_mfn);
	frame_get_ref(mfn_to_frame(d->shared_info_mfn));        /* the allocation's */
	/* The hypervisor writes vcpu_info, events and time here: frame rule. */
	if (arch_get_writable_frame_ref(d, d->shared_info_mfn)) {
		snprintf(err, errlen, "cannot take shared_info as a writable frame");
		return build_failed(d);
	}

	/* Kernel segments (the rest of each segment is already zero). */
	for (unsigned int i = 0; i < img.nr_segments; i++) {
		const struct elf_image_segment *s = &img.segments[i];
		copy_to_initial(d, &l, s->vaddr, image + s->offset, s->filesz);
	}

	/*
	 * The p2m list as the guest sees it, one unsigned long per pfn, in its
	 * own frames (inside the initial mapping, or after it with INIT_P2M).
	 */
	for (uint64_t pfn = 0; pfn < nr_pages; pfn++) {
		uint64_t page = l.p2m_pfn + pfn / (PAGE_SIZE / 8);
		((uint64_t *)mfn_to_virt(d->p2m[page]))[pfn % (PAGE_SIZE / 8)] =
			d->p2m[pfn];
	}

	uint64_t xen_l4e[16];
	mfn_t l4_mfn;
	hypervisor_l4_slots(xen_l4e);
	if (pv_boot_pagetables_write(&l, d->p2m, nr_pages, map_frame, NULL,
				     xen_l4e, &l4_mfn) < 0) {
		snprintf(err, errlen, "cannot write the bootstrap page tables");
		return build_failed(d);
	}
	/* Validate the whole tree as the guest's L4, pinned, as Xen's builder. */
	int rc = pv_install_boot_l4(d, l4_mfn);
	if (rc) {
		snprintf(err, errlen, "bootstrap page tables refused by validation (%d)", rc);
		return build_failed(d);
	}

	if (img.has_hypercall_page)
		write_hypercall_page(initial_va_ptr(d, &l, img.hypercall_page & PAGE_MASK));

	if (!cfg->initial && setup_domU_rings(d, &l)) {
		snprintf(err, errlen, "cannot set up the console and xenstore rings");
		return build_failed(d);
	}
	fill_start_info(d, &l, cfg);

	struct vcpu *v = d->vcpus[0];
	v->vcpu_info = &d->shared_info->vcpu_info[0];
	v->vcpu_info->evtchn_upcall_mask = 1;   /* events masked at start */
	d->shared_info->arch.max_pfn = nr_pages;
	v->kernel_ss = FLAT_KERNEL_SS;
	v->kernel_sp = l.stack_end;

	struct cpu_regs *r = &v->saved_regs;
	memset(r, 0, sizeof(*r));
	r->rip = img.entry;
	r->cs = FLAT_KERNEL_CS;
	r->ss = FLAT_KERNEL_SS;
	r->rsp = l.stack_end;
	r->rsi = l.start_info_start;
	r->rflags = X86_EFLAGS_IF | X86_EFLAGS_MBS;
	v->debugreg[6] = 0xffff0ff0;    /* architectural reset values */
	v->debugreg[7] = 0x400;
	v->initialised = true;
	v->down = false;
	vcpu_time_init(v);
	sched_add_vcpu(v);
	/* The others wait, down, for VCPUOP_initialise and VCPUOP_up; each
	 * starts with its slot of shared_info and events masked (as vCPU 0). */
	for (unsigned int i = 1; i < d->nr_vcpus; i++) {
		struct vcpu *s = d->vcpus[i];

		s->vcpu_info = &d->shared_info->vcpu_info[i];
		s->vcpu_info->evtchn_upcall_mask = 1;
		s->debugreg[6] = 0xffff0ff0;
		s->debugreg[7] = 0x400;
		vcpu_time_init_down(s);
		sched_add_vcpu(s);
	}

	printk("domain %u (%s): %s kernel, entry %#lx, %lu MiB, %u vCPU%s, %s, weight %u%s\n",
	       d->domain_id, d->name, img.guest_os[0] ? img.guest_os : "(unnamed)",
	       img.entry, cfg->memory_bytes >> 20, d->nr_vcpus,
	       d->nr_vcpus == 1 ? "" : "s",
	       cfg->initial ? "initial domain" : cfg->privileged ? "privileged" : "unprivileged",
	       d->weight, d->cap ? " (capped)" : "");
	printk("  virt [%#lx, %#lx): kernel %#lx-%#lx p2m %#lx start_info %#lx\n",
	       l.v_start, l.v_end, l.kern_start, l.kern_end, l.p2m_start,
	       l.start_info_start);
	printk("  page tables %#lx (%lu frames), stack top %#lx\n", l.pt_start,
	       l.nr_pt_frames, l.stack_end);
	return d;
}
