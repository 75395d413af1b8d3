# vmashadow - top-level Makefile, the project's front door.
#
#   make                 module (against KDIR), tools and selftests
#   make check           build, then boot each kernel lane in QEMU and run
#                        the selftests there; ends with "N passed, N failed"
#                        and, a line each, what failed on which lane
#   make check KERNEL=6.1 TESTS="merge"    one lane, chosen tests
#   make check-debug     the same on the debug kernel only (= KERNEL=debug)
#   make run             boot 6.1 with the module loaded and run the demo
#                        (interactive shell when on a terminal)
#   make deps            install host packages, fetch kernels into VMS_CACHE
#   make checkpatch | sparse | w1          developer checks (not in check)
#   make bench           benchmarks on 6.1 and 6.12: BENCHMARKS.md (issue 9)
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
# (scripts/debug-kernel.sh): 3-11 minutes to build once on 2 cores; its
# lane then takes 15-21 minutes, most of make check.  KERNELS="6.1
# 6.12" leaves it out; make check-debug (= KERNEL=debug) runs it alone.
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
# Not the vmashadow.mod.c that `make sparse` and `make w1` leave here: a
# copy would carry 6.1's symbol versions into another lane's module
# ("disagrees about version of symbol module_layout").
MOD_SRCS = Kbuild $(filter-out %.mod.c,$(wildcard *.c *.h core/*.c core/*.h))

HAVE_TOOLS := $(wildcard tools/Makefile)
HAVE_SELFTESTS := $(wildcard selftests/Makefile)
# A recipe line starting with it needs a '+': make sees a recursive make
# only in a line that names $(MAKE) itself, and gives the others no jobs.
SUBMAKE := $(MAKE) --no-print-directory
# Test names: TESTS="a b" on the command line, else all the selftests.
TESTS ?= $(if $(HAVE_SELFTESTS),$(shell $(SUBMAKE) -s -C selftests print-tests))

.PHONY: all module tools selftests deps check check-debug run clean checkpatch \
	sparse w1 host-tests test-host fuzz coverage bench-host soak check-prereqs FORCE

ifeq ($(wildcard $(KERNELS_MK)),)
# Fresh machine: nothing fetched yet.  Fetch, then start over so that
# kernels.mk is read (clean needs nothing of it).
all module tools selftests check check-debug run checkpatch sparse w1 host-tests \
test-host fuzz coverage bench-host soak:
	@scripts/deps.sh
	+@$(SUBMAKE) $@
else

all: module tools selftests

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
ifneq ($(HAVE_TOOLS),)
	+$(SUBMAKE) -C tools OUT=$(BUILD)/tools
else
	@echo "tools/Makefile not there yet: skipping the tool"
endif

selftests:
ifneq ($(HAVE_SELFTESTS),)
	+$(SUBMAKE) -C selftests OUT=$(BUILD)/selftests KSFT_INC=$(VMS_KSFT_INC)
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
# The debug kernel is built from source on first use (3-11 minutes on 2
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
	+@$(SUBMAKE) check KERNEL=debug
# ---- end debug lane ----

# Host-side tests run before the VMs: hook for the host unit tests.
# They must print their own results and fail the target on failure.
host-tests: test-host tools
	+@$(SUBMAKE) -C host fuzz FUZZ_SECONDS=$(HOST_FUZZ_SECONDS)
	+@$(SUBMAKE) -C tools test-host OUT=$(BUILD)/tools
	@python3 bench/test_report.py
	@mkdir -p $(BUILD)
	@scripts/test-vm-judge.sh >$(BUILD)/test-vm-judge.tap || \
		{ cat $(BUILD)/test-vm-judge.tap; exit 1; }
	@tail -n 1 $(BUILD)/test-vm-judge.tap

# ---- host build of the region core (issue 10): host/ ----------------------
# test-host   unit tests under ASan+UBSan, both rule sets
# fuzz        libFuzzer with a reference model, FUZZ_SECONDS (default 60)
# coverage    line and branch coverage of core/ (tests + fuzz corpus)
# bench-host  callgrind instruction counts at 1e3 and 1e6 regions
FUZZ_SECONDS ?= 60
HOST_FUZZ_SECONDS ?= 20
test-host:
	+@$(SUBMAKE) -C host test
fuzz:
	+@$(SUBMAKE) -C host fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)
coverage:
	+@$(SUBMAKE) -C host coverage
bench-host:
	+@$(SUBMAKE) -C host bench
# ---- end of host build ------------------------------------------------------

# The tool's own checks run in the VM beside the selftests, unless TESTS
# names a selection, on the stock lanes.  They drive the module through
# the ioctls the selftests cover, and on the debug kernel (KASAN under
# TCG) they cost more than they find: 83 s for the tool's checks and
# 5.5 minutes for the trace suite's first 13 cases on a slow machine,
# where the debug lane then ran past its 30-minute limit.  The debug lane
# runs the trace suite's first cases only (a fork, an exec, userfaultfd:
# real processes imported and mirrored under KASAN and kmemleak); the
# script stops after them there.
TOOL_TESTS := $(if $(filter command line,$(origin TESTS)),,\
	$(BUILD)/tools/vmashadow-tool.sh $(BUILD)/tools/vmashadow-examples.sh \
	$(BUILD)/tools/vmashadow-trace.sh)
DEBUG_TOOL_TESTS := $(filter %/vmashadow-trace.sh,$(TOOL_TESTS))

# So does make bench's program at tiny sizes, last (it raises
# vm.max_map_count and max_regions; it checks that both sides
# hold the same regions and place maps alike), on the stock lanes: on the
# debug kernel it would take minutes, and selftests/bench covers its ioctl.
BENCH_SMOKE := $(if $(filter command line,$(origin TESTS)),,\
	$(if $(filter-out debug,$(LANES)),$(BUILD)/bench/vmsbench-quick))

# What check builds and runs on the host before the VMs, after deps (which
# fetches what the rest needs) and the debug kernel (built once, on all
# cores, its progress shown): side by side, JOBS at a time (default: the
# machine's cores).  One after another they took 6-7 minutes of a 2-core
# machine's make check, the 39 static selftests alone 3.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
check-prereqs: tools selftests $(addprefix mod-,$(LANES)) host-tests $(BENCH_SMOKE)

check: deps
	$(if $(filter debug,$(LANES)),@scripts/debug-kernel.sh >/dev/null)
	+@$(SUBMAKE) -j$(JOBS) --output-sync=target check-prereqs
	@rm -f $(foreach l,$(LANES),$(BUILD)/$(l)/result $(BUILD)/$(l)/failures)
	@status=0; \
	for lane in $(LANES); do \
		extra="$(DEBUG_TOOL_TESTS)"; \
		[ $$lane = debug ] || extra="$(TOOL_TESTS) $(BENCH_SMOKE)"; \
		scripts/vm-run.sh $$lane check $(BUILD)/$$lane/mod/vmashadow.ko \
			$(addprefix $(BUILD)/selftests/,$(TESTS)) $$extra || status=1; \
	done; \
	scripts/vm-judge.sh -s $(addprefix $(BUILD)/,$(LANES)) || status=1; \
	exit $$status

run: deps tools selftests mod-6.1
	@scripts/vm-run.sh 6.1 run $(BUILD)/6.1/mod/vmashadow.ko \
		$(addprefix $(BUILD)/selftests/,$(TESTS))

# ---- soak (issue 7): the conformance tester for as long as asked ------------
#   make soak [SOAK_MINUTES=10] [SOAK_KERNELS="6.1 6.12"] [SOAK_TESTS=...]
# Boots each kernel and runs selftests/conform with new seeds (taken from
# the time) for SOAK_MINUTES, then selftests/ioctlfuzz for as long.
# SOAK_TESTS picks others: lifetime runs its 100,000 cycles with
# SOAK_MINUTES as the budget, e.g. under kmemleak with
#   make soak SOAK_KERNELS=debug SOAK_TESTS=lifetime SOAK_MINUTES=40
# vm-run.sh passes a test neither arguments nor environment, so the first
# "test", build/soak/soak-setup, wraps each of those binaries in /tests into
# a script that runs it with VMS_SOAK_SECONDS=N (and --seconds N for conform
# and ioctlfuzz).  Each lane prints its "conformance <kernel>: ..." line;
# logs in build/soak/<lane>.
SOAK_MINUTES ?= 10
SOAK_KERNELS ?= 6.1 6.12
SOAK_TESTS ?= conform ioctlfuzz
SOAK_BINS = $(addprefix $(BUILD)/selftests/,$(SOAK_TESTS))
soak: deps selftests $(addprefix mod-,$(SOAK_KERNELS))
	@mkdir -p $(BUILD)/soak
	@secs=$$(( $(SOAK_MINUTES) * 60 )); \
	{ echo '#!/bin/sh'; \
	  echo "# generated by make soak: every soaking test runs $$secs seconds"; \
	  echo "n=$$secs"; \
	  echo 'for t in $(notdir $(SOAK_BINS)); do'; \
	  echo '	[ -f /tests/$$t ] || continue'; \
	  echo '	mv /tests/$$t /tests/$$t.bin'; \
	  echo '	case $$t in conform | ioctlfuzz) a="--seconds $$n" ;; *) a= ;; esac'; \
	  echo '	printf "#!/bin/sh\nVMS_SOAK_SECONDS=%s exec /tests/%s.bin %s\n" $$n $$t "$$a" >/tests/$$t'; \
	  echo '	chmod +x /tests/$$t'; \
	  echo 'done'; \
	  echo 'echo "$$n" >/tmp/vms-soak-seconds'; \
	  echo 'printf "TAP version 13\n1..1\nok 1 soak-setup: %s seconds per test\n" $$n'; \
	  echo 'echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"'; \
	} >$(BUILD)/soak/soak-setup; \
	chmod +x $(BUILD)/soak/soak-setup; \
	status=0; \
	for lane in $(SOAK_KERNELS); do \
		VMS_TIMEOUT=$$(( secs * $(words $(SOAK_BINS)) + 900 )) \
		VMS_TEST_TIMEOUT=$$(( secs + 600 )) \
		scripts/vm-run.sh -o $(BUILD)/soak/$$lane $$lane check \
			$(BUILD)/$$lane/mod/vmashadow.ko $(BUILD)/soak/soak-setup \
			$(SOAK_BINS) || status=1; \
	done; \
	for lane in $(SOAK_KERNELS); do \
		line=$$(tr -d '\r' <$(BUILD)/soak/$$lane/serial.log 2>/dev/null | \
			grep -E '^# (conformance |.*open/operate/close cycles)' | \
			sed 's/^# //; s/^lifetime[^ ]*:cycles:/lifetime $$lane: /'); \
		echo "$${line:-$$lane: no result (see $(BUILD)/soak/$$lane/serial.log)}"; \
	done; \
	exit $$status
# ---- end soak ----------------------------------------------------------------

# The module's own sources (not the *.mod.c that kbuild writes).
CHECKPATCH_FILES = $(filter-out %.mod.c,$(wildcard *.c *.h core/*.c core/*.h))
checkpatch:
	$(VMS_CHECKPATCH) --no-tree --strict --file $(CHECKPATCH_FILES)

sparse:
	$(MAKE) -C $(VMS_KDIR_6.1) M=$(CURDIR) C=2 modules

w1:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

endif

# ---- benchmarks (issue 9): make bench ---------------------------------------
# Boots each of BENCH_KERNELS in QEMU with the module and runs
# build/bench/vmsbench (bench/vmsbench.c) there as a test; prints its
# "bench ..." lines, then writes BENCHMARKS.md and bench/scaling.svg
# (bench/report.py).  A few minutes; not part of check.  BENCH_QUICK=1:
# tiny sizes, a smoke test of the program, report under build/bench/ only.
# BENCH_RUNS=N boots each kernel N times, the kernels in turn (output,
# output.2, ... in build/bench/<kernel>), and reports each figure's median
# over the runs: the host's speed drifts between runs, which the
# repetitions within one cannot cancel.
BENCH_KERNELS ?= 6.1 6.12
BENCH_RUNS ?= 1
BENCH_QUICK ?=
BENCH_MD := $(if $(BENCH_QUICK),$(BUILD)/bench/BENCHMARKS.md,BENCHMARKS.md)
BENCH_SVG := $(if $(BENCH_QUICK),$(BUILD)/bench/scaling.svg,bench/scaling.svg)
.PHONY: bench bench-lanes
bench: deps
	+@$(SUBMAKE) bench-lanes

$(BUILD)/bench/vmsbench: bench/vmsbench.c ioctl.h
	@mkdir -p $(@D)
	$(CC) -static -O2 -Wall -Wextra -Wno-sign-compare -o $@ bench/vmsbench.c

# The VM runs tests without arguments: named vmsbench-quick, it is --quick.
BENCH_BIN := $(BUILD)/bench/vmsbench$(if $(BENCH_QUICK),-quick)
$(BUILD)/bench/vmsbench-quick: $(BUILD)/bench/vmsbench
	cp $< $@

bench-lanes: $(BENCH_BIN) $(addprefix mod-,$(BENCH_KERNELS))
	@status=0; outs=; \
	for run in $$(seq 1 $(BENCH_RUNS)); do \
	for lane in $(BENCH_KERNELS); do \
		mkdir -p $(BUILD)/bench/$$lane; \
		out=$(BUILD)/bench/$$lane/output; \
		[ $$run = 1 ] || out=$$out.$$run; \
		[ $(BENCH_RUNS) = 1 ] || echo "bench: run $$run of $(BENCH_RUNS), $$lane"; \
		VMS_TIMEOUT=$${VMS_TIMEOUT:-1800} VMS_TEST_TIMEOUT=$${VMS_TEST_TIMEOUT:-1700} \
		scripts/vm-run.sh -o $(BUILD)/bench/$$lane $$lane check \
			$(BUILD)/$$lane/mod/vmashadow.ko $(BENCH_BIN) \
			>$$out 2>&1 || { status=1; tail -n 20 $$out; }; \
		grep -E '^bench ' $$out; \
		outs="$$outs $$out"; \
	done; \
	done; \
	python3 bench/report.py $(BENCH_MD) $(BENCH_SVG) $$outs && \
		echo "bench: wrote $(BENCH_MD) and $(BENCH_SVG)"; \
	exit $$status
# ---- end of benchmarks -------------------------------------------------------

deps:
	@scripts/deps.sh

clean:
	rm -rf build
	rm -f *.o *.ko *.mod *.mod.c *.mod.o .*.o .*.cmd Module.symvers \
		modules.order core/*.o core/.*.cmd
	rm -rf .tmp_versions

FORCE:
