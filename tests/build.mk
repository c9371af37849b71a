# Tests: each unit test and each test guest brings its own small .mk fragment.
#   tests/unit/<name>.mk    host unit tests, built into $(BUILD)/tests/unit/
#   tests/guests/<name>.mk  PV test guests, built into $(BUILD)/tests/guests/
include $(sort $(wildcard tests/unit/*.mk))
include $(sort $(wildcard tests/guests/*.mk))
include tests/system/bad_modules.mk
