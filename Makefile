# vmashadow - top-level Makefile, the project's front door.
#
#   make                 module (against KDIR), tools and selftests
#   make check           build, then boot each kernel lane in QEMU and run
#                        the selftests there; ends with "N passed, N failed"
#   make check KERNEL=6.1 TESTS="merge"    one lane, chosen tests
#   make check-debug     the same on the debug kernel only (= KERNEL=debug)
#   make run             boot 6.1 with the module loaded and run the demo
#                        (interactive shell when on a terminal)
#   make deps            install host packages, fetch kernels into VMS_CACHE
#   make checkpatch | sparse | w1          developer checks (not in check)
#   make clean
#
# Kernels, headers and the kselftest/checkpatch files come from Debian
# packages unpacked into VMS_CACHE by scripts/deps.sh, which records their
# paths in $(VMS_CACHE)/kernels.mk (VMS_KDIR_<lane>, VMS_VMLINUZ_<lane>,
# VMS_KREL_<lane>, VMS_KSFT_INC, VMS_CHECKPATCH).

VMS_CACHE ?= $(HOME)/.cache/vmashadow
export VMS_CACHE
KERNELS_MK := $(VMS_CACHE)/kernels.mk
-include $(KERNELS_MK)

BUILD := $(CURDIR)/build

# Kernel lanes booted by "make check".  The third lane, "debug", is a 6.1
# kernel built from linux-source with KASAN, kmemleak, lockdep, UBSAN...
# (scripts/debug-kernel.sh): 3-6 minutes to build once on 2 cores, about
# a minute per run after that.  KERNELS="6.1 6.12" leaves it out;
# make check-debug (= KERNEL=debug) runs it alone.
KERNELS ?= 6.1 6.12 debug
KERNEL ?=
LANES := $(or $(KERNEL),$(KERNELS))

# Default KDIR: the running kernel's build tree if there is one, else the
# cached Debian 6.1 headers.
HOST_KDIR := /lib/modules/$(shell uname -r)/build
ifneq ($(wildcard $(HOST_KDIR)/Makefile),)
KDIR ?= $(HOST_KDIR)
else
KDIR ?= $(VMS_KDIR_6.1)
endif

# The module's sources: the one list copied into each lane's build dir.
MOD_SRCS = Kbuild $(wildcard *.c *.h core/*.c core/*.h)

HAVE_TOOLS := $(wildcard tools/Makefile)
HAVE_SELFTESTS := $(wildcard selftests/Makefile)
SUBMAKE := $(MAKE) --no-print-directory
# Test names: TESTS="a b" on the command line, else all the selftests.
TESTS ?= $(if $(HAVE_SELFTESTS),$(shell $(SUBMAKE) -s -C selftests print-tests))

.PHONY: all module tools selftests deps check check-debug run clean checkpatch \
	sparse w1 host-tests test-host fuzz coverage bench-host FORCE

ifeq ($(wildcard $(KERNELS_MK)),)
# Fresh machine: nothing fetched yet.  Fetch, then start over so that
# kernels.mk is read (clean needs nothing of it).
all module tools selftests check check-debug run checkpatch sparse w1 host-tests \
test-host fuzz coverage bench-host:
	@scripts/deps.sh
	@$(SUBMAKE) $@
else

all: module tools selftests

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
ifneq ($(HAVE_TOOLS),)
	$(SUBMAKE) -C tools OUT=$(BUILD)/tools
else
	@echo "tools/Makefile not there yet: skipping the tool"
endif

selftests:
ifneq ($(HAVE_SELFTESTS),)
	$(SUBMAKE) -C selftests OUT=$(BUILD)/selftests KSFT_INC=$(VMS_KSFT_INC)
else
	@echo "selftests/Makefile not there yet: skipping the selftests"
endif

# Module for one VM lane, built in build/<lane>/mod so lanes never clash.
# cp -p keeps timestamps, so kbuild only rebuilds what changed.
mod-%: FORCE
	@test -n "$(VMS_KDIR_$*)" || { echo "unknown kernel lane '$*' (see $(KERNELS_MK))"; exit 1; }
	@mkdir -p $(BUILD)/$*/mod
	@cp -p --parents $(MOD_SRCS) $(BUILD)/$*/mod/
	@$(MAKE) -s -C $(VMS_KDIR_$*) M=$(BUILD)/$*/mod modules

# ---- debug lane (issue 8) ----
# The debug kernel is built from source on first use (3-6 minutes on 2
# cores), then reused from $(VMS_CACHE)/debug-kernel/, keyed by the source
# version and the hash of scripts/debug-kernel.config.  debug-kernel.sh
# writes the lane's VMS_KDIR_debug/VMS_VMLINUZ_debug/VMS_KREL_debug into
# $(VMS_CACHE)/debug-kernel.mk, read here by the recipe (it may not exist
# when make starts) and by vm-run.sh.
DEBUG_MK := $(VMS_CACHE)/debug-kernel.mk
mod-debug: FORCE
	@scripts/debug-kernel.sh >/dev/null
	@mkdir -p $(BUILD)/debug/mod
	@cp -p --parents $(MOD_SRCS) $(BUILD)/debug/mod/
	@kdir=$$(awk '$$1 == "VMS_KDIR_debug" { print $$3 }' $(DEBUG_MK)); \
		$(MAKE) -s -C "$$kdir" M=$(BUILD)/debug/mod modules

check-debug:
	@$(SUBMAKE) check KERNEL=debug
# ---- end debug lane ----

# Host-side tests run before the VMs: hook for the host unit tests.
# They must print their own results and fail the target on failure.
host-tests: test-host
	@$(SUBMAKE) -C host fuzz FUZZ_SECONDS=$(HOST_FUZZ_SECONDS)
	@$(SUBMAKE) -C tools test-host OUT=$(BUILD)/tools

# ---- host build of the region core (issue 10): host/ ----------------------
# test-host   unit tests under ASan+UBSan, both rule sets
# fuzz        libFuzzer with a reference model, FUZZ_SECONDS (default 60)
# coverage    line and branch coverage of core/ (tests + fuzz corpus)
# bench-host  callgrind instruction counts at 1e3 and 1e6 regions
FUZZ_SECONDS ?= 60
HOST_FUZZ_SECONDS ?= 20
test-host:
	@$(SUBMAKE) -C host test
fuzz:
	@$(SUBMAKE) -C host fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)
coverage:
	@$(SUBMAKE) -C host coverage
bench-host:
	@$(SUBMAKE) -C host bench
# ---- end of host build ------------------------------------------------------

# The tool's own checks run in the VM beside the selftests, unless TESTS
# names a selection.
TOOL_TESTS := $(if $(filter command line,$(origin TESTS)),,\
	$(BUILD)/tools/vmashadow-tool.sh $(BUILD)/tools/vmashadow-examples.sh)

check: deps tools selftests $(addprefix mod-,$(LANES)) host-tests
	@rm -f $(foreach l,$(LANES),$(BUILD)/$(l)/result)
	@status=0; \
	for lane in $(LANES); do \
		scripts/vm-run.sh $$lane check $(BUILD)/$$lane/mod/vmashadow.ko \
			$(addprefix $(BUILD)/selftests/,$(TESTS)) \
			$(TOOL_TESTS) || status=1; \
	done; \
	cat $(foreach l,$(LANES),$(BUILD)/$(l)/result) 2>/dev/null | \
		awk -v lanes="$(words $(LANES))" ' \
		{ for (i = 1; i <= NF; i++) { split($$i, kv, "="); n[kv[1]] += kv[2] } seen++ } \
		END { f = n["FAIL"] + (lanes - seen); \
		      printf "%d passed, %d failed", n["PASS"], f; \
		      if (n["SKIP"]) printf ", %d skipped", n["SKIP"]; print "" }'; \
	exit $$status

run: deps tools selftests mod-6.1
	@scripts/vm-run.sh 6.1 run $(BUILD)/6.1/mod/vmashadow.ko \
		$(addprefix $(BUILD)/selftests/,$(TESTS))

# The module's own sources (not the *.mod.c that kbuild writes).
CHECKPATCH_FILES = $(filter-out %.mod.c,$(wildcard *.c *.h core/*.c core/*.h))
checkpatch:
	$(VMS_CHECKPATCH) --no-tree --strict --file $(CHECKPATCH_FILES)

sparse:
	$(MAKE) -C $(VMS_KDIR_6.1) M=$(CURDIR) C=2 modules

w1:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

endif

deps:
	@scripts/deps.sh

clean:
	rm -rf build
	rm -f *.o *.ko *.mod *.mod.c *.mod.o .*.o .*.cmd Module.symvers \
		modules.order core/*.o core/.*.cmd
	rm -rf .tmp_versions

FORCE:
