#!/usr/bin/env python3
"""Write hostile boot modules, derived from a good PV guest ELF, for the
system tests that check the domain builder refuses them cleanly.

usage: make_bad_modules.py GOOD_GUEST.elf OUTDIR
"""
import os
import struct
import sys

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
PT_LOAD, PT_NOTE = 1, 4


def parse(img):
    e = list(EHDR.unpack_from(img, 0))
    phoff, phnum = e[5], e[10]
    phdrs = [list(PHDR.unpack_from(img, phoff + i * PHDR.size)) for i in range(phnum)]
    return e, phdrs


def write(img, e, phdrs):
    out = bytearray(img)
    EHDR.pack_into(out, 0, *e)
    for i, p in enumerate(phdrs):
        PHDR.pack_into(out, e[5] + i * PHDR.size, *p)
    return bytes(out)


def notes(img, phdrs):
    """(offset of desc, type, descsz) of every Xen note."""
    found = []
    for p in phdrs:
        if p[0] != PT_NOTE:
            continue
        off, end = p[2], p[2] + p[5]
        while off + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", img, off)
            name_off = off + 12
            desc_off = name_off + ((namesz + 3) & ~3)
            found.append((desc_off, ntype, descsz, img[name_off:name_off + namesz]))
            off = desc_off + ((descsz + 3) & ~3)
    return found


def main():
    good, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    img = open(good, "rb").read()
    e, phdrs = parse(img)
    loads = [i for i, p in enumerate(phdrs) if p[0] == PT_LOAD]
    out = {}

    out["not_elf"] = b"#!/bin/sh\necho this is not a kernel\n" * 8

    # ELFCLASS32 in the identification bytes: a 32-bit kernel.
    ident = bytearray(e[0]); ident[4] = 1
    out["elf32"] = bytes(ident) + img[16:]

    # No Xen notes: the PT_NOTE header becomes PT_NULL and the notes' names
    # are scrambled so no section fallback finds them either.
    b = bytearray(img)
    for desc_off, ntype, descsz, name in notes(img, phdrs):
        pos = desc_off - ((len(name) + 3) & ~3)
        b[pos:pos + len(name)] = b"Zzz\0"[:len(name)]
    e2, ph2 = parse(bytes(b))
    for p in ph2:
        if p[0] == PT_NOTE:
            p[0] = 0
    out["no_xen_notes"] = write(bytes(b), e2, ph2)

    # Entry outside the image: both e_entry and the ENTRY note.
    b = bytearray(img)
    for desc_off, ntype, descsz, name in notes(img, phdrs):
        if ntype == 1 and descsz == 8:
            struct.pack_into("<Q", b, desc_off, 0xffffffffc0000000)
    e2, ph2 = parse(bytes(b))
    e2[4] = 0xffffffffc0000000
    out["entry_outside"] = write(bytes(b), e2, ph2)

    # Two loadable segments over the same addresses.
    e2, ph2 = parse(img)
    if len(loads) >= 2:
        ph2[loads[1]][3] = ph2[loads[0]][3]
        ph2[loads[1]][4] = ph2[loads[0]][4]
    out["overlapping_segments"] = write(img, e2, ph2)

    # A segment whose file bytes lie past the end of the file.
    e2, ph2 = parse(img)
    ph2[loads[0]][2] = len(img) + 0x100000
    out["segment_past_eof"] = write(img, e2, ph2)

    # An absurd memory size (wraps the address space).
    e2, ph2 = parse(img)
    ph2[loads[-1]][6] = 0xfffffffffff00000
    out["absurd_memsz"] = write(img, e2, ph2)

    # 512 MiB of bss: larger than the 64 MiB domain the test gives it.
    e2, ph2 = parse(img)
    ph2[loads[-1]][6] = ph2[loads[-1]][5] + (512 << 20)
    out["too_big"] = write(img, e2, ph2)

    out["truncated"] = img[:EHDR.size + 10]

    for name, data in out.items():
        with open(os.path.join(outdir, name + ".elf"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
