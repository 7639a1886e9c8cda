# kvmsqueeze: `make` builds ./kvmsqueeze and the guests; `make help` lists
# the other targets. SANITIZE=1 builds into build-san/ with ASan and UBSan
# (with clang, unless CC says otherwise).

.DEFAULT_GOAL	:= all
CC		?= gcc
BUILD		?= build
PREFIX		?= /usr/local
# make install: the command, its data (the scripts ab runs, the docs its
# help cites), the lab's static binary, man pages and bash completion.
BINDIR		?= $(PREFIX)/bin
DATADIR		?= $(PREFIX)/share/kvmsqueeze
LIBEXECDIR	?= $(PREFIX)/libexec/kvmsqueeze
MANDIR		?= $(PREFIX)/share/man
COMPLETIONDIR	?= $(PREFIX)/share/bash-completion/completions

# The sanitizer build uses clang unless CC is given, so `make test` and
# `make test SANITIZE=1` (both in .ci/run) build with gcc and clang.
ifeq ($(SANITIZE),1)
BUILD		:= build-san
ifeq ($(origin CC),default)
CC		:= clang
endif
SAN_FLAGS	:= -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
endif

WARN		:= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
		   -Wmissing-prototypes -Wno-unused-parameter
CFLAGS		?= -O2 -g
HOST_CFLAGS	:= $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -pthread \
		   -I. $(SAN_FLAGS) -MMD -MP
# libtracefs before libtraceevent, which it uses (a static link takes them in order).
TRACE_PKGS	:= libtracefs libtraceevent
TRACE_CFLAGS	:= $(shell pkg-config --cflags $(TRACE_PKGS) 2>/dev/null || \
		     echo -I/usr/include/tracefs -I/usr/include/traceevent)
TRACE_LDLIBS	:= $(shell pkg-config --libs $(TRACE_PKGS) 2>/dev/null || \
		     echo -ltracefs -ltraceevent)
HOST_CFLAGS	+= $(TRACE_CFLAGS)
# Headers made by the build (the version, the install paths): GEN.
GEN		:= $(BUILD)/gen
GEN_HDRS	:= $(GEN)/kvmsq_version.h $(GEN)/kvmsq_paths.h
HOST_CFLAGS	+= -I$(GEN)
HOST_LDLIBS	:= -pthread -lcgroup $(TRACE_LDLIBS) -ljson-c -lm
HOST_LDFLAGS	:= $(LDFLAGS) $(SAN_FLAGS)

# Guests: freestanding, linked at KVMSQ_IMAGE_BASE (guests/rt/guest.ld).
GUEST_CFLAGS	:= -O2 -g $(WARN) -std=gnu11 -ffreestanding -fno-builtin \
		   -nostdlib -mno-red-zone -mno-sse -mno-mmx -mno-80387 \
		   -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
		   -mcmodel=small -I. -Iguests -MMD -MP
GUEST_LDFLAGS	:= -nostdlib -static -Wl,--build-id=none \
		   -Wl,-T,guests/rt/guest.ld -Wl,-z,noexecstack

ifneq ($(V),1)
Q		:= @
quiet		= @printf '  %-7s %s\n' $(1) $(2);
endif

# Each part is a library (the VMM knows nothing of experiments); the
# builtins (one file per subcommand) make the command.
PARTS		:= common abi vmm experiments analysis
LIB_SRCS	= $(filter-out $(1)/builtin-%.c,$(wildcard $(1)/*.c))
LIBS		:= $(foreach p,$(PARTS),$(BUILD)/lib$(p).a)
CLI_SRCS	:= kvmsqueeze.c $(foreach p,$(PARTS),$(wildcard $(p)/builtin-*.c))
CLI_OBJS	:= $(CLI_SRCS:%.c=$(BUILD)/%.o)

include guests/guests.mk

UNIT_SRCS	:= $(wildcard tests/unit/*.c)
UNIT_BINS	:= $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
# Fuzzers: bounded and seeded, "fuzzer SECONDS SEED" (tests/fuzz.sh runs them).
FUZZ_SRCS	:= $(wildcard tests/fuzz/*.c)
FUZZ_BINS	:= $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/tests/fuzz/%)

TARGET		:= kvmsqueeze
ifneq ($(BUILD),build)
TARGET		:= $(BUILD)/kvmsqueeze
endif

all: deps-build $(TARGET) guests man completion

# Users before what they use on the link line.
LINK_LIBS	:= $(BUILD)/libexperiments.a $(BUILD)/libanalysis.a \
		   $(BUILD)/libvmm.a $(BUILD)/libabi.a $(BUILD)/libcommon.a

$(TARGET): $(CLI_OBJS) $(LIBS)
	$(call quiet,LINK,$@)$(CC) $(HOST_LDFLAGS) -o $@ $(CLI_OBJS) $(LINK_LIBS) $(HOST_LDLIBS)

# The VMM carries the built-in guests' ELF images (guests/embed.S).
$(BUILD)/libvmm.a: $(patsubst %.c,$(BUILD)/%.o,$(call LIB_SRCS,vmm)) $(BUILD)/guests/embed.o
	$(call quiet,AR,$@)rm -f $@ && ar rcs $@ $^

$(BUILD)/libabi.a: $(patsubst %.c,$(BUILD)/%.o,$(call LIB_SRCS,abi))
	$(call quiet,AR,$@)rm -f $@ && ar rcs $@ $^

$(BUILD)/libcommon.a: $(patsubst %.c,$(BUILD)/%.o,$(call LIB_SRCS,common))
	$(call quiet,AR,$@)rm -f $@ && ar rcs $@ $^

$(BUILD)/libanalysis.a: $(patsubst %.c,$(BUILD)/%.o,$(call LIB_SRCS,analysis))
	$(call quiet,AR,$@)rm -f $@ && ar rcs $@ $^

$(BUILD)/libexperiments.a: $(patsubst %.c,$(BUILD)/%.o,$(call LIB_SRCS,experiments)) \
			   $(BUILD)/experiments/catalog_data.o
	$(call quiet,AR,$@)rm -f $@ && ar rcs $@ $^

# The catalog's specs are built in: their text and a table of names.
CATALOG		:= $(sort $(wildcard experiments/catalog/*.json))
$(BUILD)/experiments/catalog_data.S: $(CATALOG) Makefile
	@mkdir -p $(dir $@)
	$(Q){ printf '\t.section .rodata\n'; i=0; for f in $(CATALOG); do \
		n=$$(basename $$f .json); \
		printf 'name_%d:\t.asciz "%s"\njson_%d:\t.incbin "%s"\n\t.byte 0\n' $$i $$n $$i $$f; \
		i=$$((i + 1)); done; \
	printf '\t.section .data.rel.ro\n\t.balign 8\n\t.globl catalog_entries\ncatalog_entries:\n'; \
	i=0; for f in $(CATALOG); do printf '\t.quad name_%d, json_%d\n' $$i $$i; i=$$((i + 1)); done; \
	printf '\t.quad 0, 0\n\t.section .note.GNU-stack,"",@progbits\n'; } > $@

$(BUILD)/experiments/catalog_data.o: $(BUILD)/experiments/catalog_data.S
	$(call quiet,AS,$@)$(CC) -c -o $@ $<

$(BUILD)/%.o: %.c | $(GEN_HDRS)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$@)$(CC) $(HOST_CFLAGS) -c -o $@ $<

# The version: git describe of the tree built, "0.1" outside git (a
# tarball). Rewritten only when it changes, so only install.o follows.
$(BUILD)/common/install.o: $(GEN)/kvmsq_version.h
$(GEN)/kvmsq_version.h: FORCE
	@mkdir -p $(dir $@)
	$(Q)v=0.1; if [ -e .git ] && d=$$(git describe --always --dirty 2>/dev/null); then v=$$d; fi; \
	printf '#define KVMSQ_GIT_VERSION "%s"\n' "$$v" >$@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# Where make install puts the data and the static binary (help texts cite them).
$(GEN)/kvmsq_paths.h: FORCE
	@mkdir -p $(dir $@)
	$(Q)printf '#define KVMSQ_DATADIR "%s"\n#define KVMSQ_LIBEXECDIR "%s"\n' \
		'$(DATADIR)' '$(LIBEXECDIR)' >$@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# The built-in guests are embedded in the binary: one .incbin each, and
# the table vmm/guests.c finds them in by name, guest_images[] of
# { name, start, end }, ending with a NULL name.
$(BUILD)/guests/embed.S: $(GUEST_ELFS) guests/src Makefile guests/guests.mk
	@mkdir -p $(dir $@)
	$(Q){ printf '\t.section .rodata\n'; i=0; for g in $(GUEST_NAMES); do \
		printf 'name_%d:\t.asciz "%s"\n\t.balign 16\n' $$i $$g; \
		printf 'elf_%d:\t.incbin "%s"\nelf_%d_end:\n' $$i $(BUILD)/guests/$$g.elf $$i; \
		i=$$((i + 1)); done; \
	printf '\t.section .data.rel.ro\n\t.balign 8\n\t.globl guest_images\nguest_images:\n'; \
	i=0; for g in $(GUEST_NAMES); do \
		printf '\t.quad name_%d, elf_%d, elf_%d_end\n' $$i $$i $$i; i=$$((i + 1)); done; \
	printf '\t.quad 0, 0, 0\n\t.section .note.GNU-stack,"",@progbits\n'; } > $@

$(BUILD)/guests/embed.o: $(BUILD)/guests/embed.S
	$(call quiet,AS,$@)$(CC) -c -o $@ $<


$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/unit.h $(LIBS) | $(GEN_HDRS)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$@)$(CC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -o $@ $< \
		$(LINK_LIBS) $(HOST_LDLIBS)

$(BUILD)/tests/fuzz/%: tests/fuzz/%.c tests/unit/unit.h $(LIBS) | $(GEN_HDRS)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$@)$(CC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -o $@ $< \
		$(LINK_LIBS) $(HOST_LDLIBS)

# analysis/stats.c as a filter for the scipy oracle (tests/stats_oracle.sh).
$(BUILD)/tests/tools/stats_cli: tests/tools/stats_cli.c $(LIBS) | $(GEN_HDRS)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$@)$(CC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -o $@ $< \
		$(LINK_LIBS) $(HOST_LDLIBS)

# a stand-in for the KVM selftests a spec may run (tests/selftests.sh);
# without the sanitizers, whose allocator would hide its OOM kill
$(BUILD)/tests/tools/fake_selftest: tests/tools/fake_selftest.c
	@mkdir -p $(dir $@)
	$(call quiet,CC,$@)$(CC) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -o $@ $<

test-bins: $(TARGET) guests $(UNIT_BINS) $(FUZZ_BINS) $(BUILD)/tests/tools/stats_cli \
	   $(BUILD)/tests/tools/fake_selftest

# The whole suite; its last line is "N passed, N failed, N skipped".
test: deps-test test-bins
	$(Q)KVMSQUEEZE=./$(TARGET) BUILD=$(BUILD) tests/run.sh

# The default experiments on the running kernel: one repetition each, no
# lab, then their report (under a minute: 24 s with kvmsqueeze built, 44 s
# after make clean, measured on 2 cores at a load of 4 to 6; the runs last
# 5 + 10 + about 8 s whatever the load; make ab is the real job).
DEMO_EXPS	:= idle-caches memcg-squeeze shrinker-storm
DEMO_OUT	:= results/demo-$(shell date +%Y%m%d-%H%M%S)
demo: deps-build deps-analysis $(TARGET) guests
	$(Q)ran=; for e in $(DEMO_EXPS); do \
		./$(TARGET) run $$e --out $(DEMO_OUT)/$$e; rc=$$?; \
		if [ $$rc -eq 3 ]; then \
			echo "kvmsqueeze: demo: $$e did not run properly on this host (its result says why in run.problems); left out of the report" >&2; \
			continue; \
		fi; \
		[ $$rc -eq 0 ] || exit 1; ran="$$ran $(DEMO_OUT)/$$e"; done; \
	[ -n "$$ran" ] || { echo "kvmsqueeze: demo: no experiment ran properly on this host" >&2; exit 1; }; \
	./$(TARGET) report --plots $(DEMO_OUT)/plots $$ran | tee $(DEMO_OUT)/report.txt

# The fuzzers for longer: FUZZ_SECONDS each (default 600), FUZZ_SEED.
fuzz: deps-test test-bins
	$(Q)FUZZ_SECONDS=$${FUZZ_SECONDS:-600} KVMSQUEEZE=./$(TARGET) BUILD=$(BUILD) tests/run.sh fuzz

bench: deps-bench all
	$(Q)BUILD=$(BUILD) bench/run.sh

deps-build deps-test deps-bench deps-analysis:
	$(Q)scripts/deps $(@:deps-%=%)

# A static kvmsqueeze for the lab's initramfs. libtraceevent's plugin
# loader (dlopen) is linked in but never called: no plugins are loaded.
static: deps-build guests
	$(Q)$(MAKE) -s BUILD=build-static LDFLAGS=-static build-static/kvmsqueeze 2>&1 | \
		grep -v 'statically linked applications\|in function .\(cgroup\|config\|load_plugin\)' || true
	$(Q)test -x build-static/kvmsqueeze

# Kernel arms (patched-kernel/): all of them, or one with ARM=name.
kernels:
	patched-kernel/build.sh all

kernel:
	@test -n "$(ARM)" || { echo "usage: make kernel ARM=name" >&2; exit 2; }
	patched-kernel/build.sh $(ARM)

# The main job: every arm in the lab, in blocks, JOBS labs at once,
# compared (patched-kernel/ab.sh).
ab: all
	patched-kernel/ab.sh

# Boot an arm under QEMU and run an experiment in it.
ARM	?= legacy
EXP	?= baseline
MMU	?= shadow
REPS	?= 1
lab:
	patched-kernel/lab.sh $(ARM) $(EXP) $(MMU) $(REPS)

# Man pages and bash completion, made from the --help texts of the binary
# just built, so they say what it does (man/mkman, completion/mkcomp).
MAN_CMDS	:= vm run report ab compare
MAN_PAGES	:= $(BUILD)/man/kvmsqueeze.1 $(MAN_CMDS:%=$(BUILD)/man/kvmsqueeze-%.1)
man: $(MAN_PAGES)
$(BUILD)/man/kvmsqueeze.1: $(TARGET) man/mkman man/kvmsqueeze.extra
	@mkdir -p $(dir $@)
	$(call quiet,MAN,$@)sed -e 's|@DATADIR@|$(DATADIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' \
		man/kvmsqueeze.extra >$@.extra && \
	man/mkman ./$(TARGET) - $@.extra >$@.tmp && mv $@.tmp $@ && rm -f $@.extra
$(BUILD)/man/kvmsqueeze-%.1: $(TARGET) man/mkman
	@mkdir -p $(dir $@)
	$(call quiet,MAN,$@)man/mkman ./$(TARGET) $* >$@.tmp && mv $@.tmp $@

completion: $(BUILD)/completion/kvmsqueeze
$(BUILD)/completion/kvmsqueeze: $(TARGET) completion/mkcomp completion/kvmsqueeze.bash
	@mkdir -p $(dir $@)
	$(call quiet,GEN,$@)completion/mkcomp ./$(TARGET) $(MAN_CMDS) >$@.tmp && mv $@.tmp $@

# What kvmsqueeze ab runs, mirrored under DATADIR (the scripts find each
# other as in the tree), and the docs the help texts cite.
SHARE_FILES	= README.md abi/ABI.md analysis/README.md experiments/SPEC.md \
		  experiments/RESULT.md $(sort $(shell find patched-kernel scripts -type f \
		  ! -name '*~' ! -name '*.orig' ! -name '*.rej'))

install: all static
	$(Q)install -D -m 755 $(TARGET) $(DESTDIR)$(BINDIR)/kvmsqueeze
	$(Q)install -D -m 755 build-static/kvmsqueeze $(DESTDIR)$(LIBEXECDIR)/kvmsqueeze-static
	$(Q)for f in $(SHARE_FILES); do m=644; [ -x "$$f" ] && m=755; \
		install -D -m $$m "$$f" "$(DESTDIR)$(DATADIR)/$$f" || exit 1; done
	$(Q)install -d $(DESTDIR)$(MANDIR)/man1
	$(Q)install -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	$(Q)install -D -m 644 $(BUILD)/completion/kvmsqueeze $(DESTDIR)$(COMPLETIONDIR)/kvmsqueeze

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kvmsqueeze $(DESTDIR)$(COMPLETIONDIR)/kvmsqueeze \
		$(MAN_PAGES:$(BUILD)/man/%=$(DESTDIR)$(MANDIR)/man1/%)
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(LIBEXECDIR)

clean:
	rm -rf build build-san build-static kvmsqueeze

help:
	@echo 'make ab         the main job: ARMS, EXPS, MMU, REPS, JOBS in the lab, compared'
	@echo 'make            build ./kvmsqueeze and the guests'
	@echo 'make demo       the default experiments on this kernel, no lab, and their report'
	@echo 'make test       the test suite (SANITIZE=1: under ASan and UBSan)'
	@echo 'make fuzz       the fuzzers for FUZZ_SECONDS each (default 600; make test runs them 30 s)'
	@echo 'make bench      populate speed against the KVM selftests, cold start'
	@echo 'make kernels    build every kernel arm (patched-kernel/); make kernel ARM=name: one'
	@echo 'make lab        ARM=name EXP=experiment [MMU=tdp|shadow] [REPS=n]: run it in QEMU'
	@echo 'make install    install under $$(PREFIX) (default /usr/local; DESTDIR): the command,'
	@echo '                its scripts and docs, man pages, bash completion; make uninstall'
	@echo 'make clean      remove build products'

.PHONY: all guests test test-bins fuzz demo bench install uninstall clean help static kernels \
	kernel lab ab man completion deps-build deps-test deps-bench deps-analysis FORCE

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
