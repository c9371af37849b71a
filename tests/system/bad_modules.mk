# Hostile boot modules for the builder's refusal tests, derived from a good guest.
BAD_MODULES_DIR := $(BUILD)/tests/badmods
BAD_MODULES_STAMP := $(BAD_MODULES_DIR)/.stamp

all: $(BAD_MODULES_STAMP)

$(BAD_MODULES_STAMP): $(BUILD)/tests/guests/boot_info.elf tests/system/make_bad_modules.py
	$(PYTHON) tests/system/make_bad_modules.py $< $(BAD_MODULES_DIR)
	@touch $@
