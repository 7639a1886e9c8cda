# guests/guests.mk: the freestanding guests (included by the Makefile).
# Built-in guests are embedded in kvmsqueeze, one per guests/src/*.c
# (vmm/guests.c has their table); hostile ones are for tests.

GUEST_NAMES	:= $(sort $(basename $(notdir $(wildcard guests/src/*.c))))
GUEST_ELFS	:= $(GUEST_NAMES:%=$(BUILD)/guests/%.elf)
HOSTILE_NAMES	:= $(basename $(notdir $(wildcard tests/guests/*.c)))
HOSTILE_ELFS	:= $(HOSTILE_NAMES:%=$(BUILD)/tests/guests/%.elf)

GUEST_RT_OBJS	:= $(BUILD)/guests/obj/rt/start.o $(BUILD)/guests/obj/rt/rt.o \
		   $(BUILD)/guests/obj/x86_pt.o
GUEST_INC	:= -Iguests/rt

guests: $(GUEST_ELFS) $(HOSTILE_ELFS)

$(BUILD)/guests/obj/rt/%.o: guests/rt/%.c
	@mkdir -p $(dir $@)
	$(call quiet,GUESTCC,$@)$(CC) $(GUEST_CFLAGS) $(GUEST_INC) -c -o $@ $<

$(BUILD)/guests/obj/rt/%.o: guests/rt/%.S
	@mkdir -p $(dir $@)
	$(call quiet,GUESTAS,$@)$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(BUILD)/guests/obj/x86_pt.o: abi/x86_pt.c abi/x86_pt.h
	@mkdir -p $(dir $@)
	$(call quiet,GUESTCC,$@)$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(BUILD)/guests/obj/src/%.o: guests/src/%.c
	@mkdir -p $(dir $@)
	$(call quiet,GUESTCC,$@)$(CC) $(GUEST_CFLAGS) $(GUEST_INC) -c -o $@ $<

$(BUILD)/guests/obj/hostile/%.o: tests/guests/%.c
	@mkdir -p $(dir $@)
	$(call quiet,GUESTCC,$@)$(CC) $(GUEST_CFLAGS) $(GUEST_INC) -c -o $@ $<

$(BUILD)/guests/%.elf: $(BUILD)/guests/obj/src/%.o $(GUEST_RT_OBJS) guests/rt/guest.ld
	$(call quiet,GUESTLD,$@)$(CC) $(GUEST_LDFLAGS) -o $@ $(filter %.o,$^)

$(BUILD)/tests/guests/%.elf: $(BUILD)/guests/obj/hostile/%.o $(GUEST_RT_OBJS) guests/rt/guest.ld
	@mkdir -p $(dir $@)
	$(call quiet,GUESTLD,$@)$(CC) $(GUEST_LDFLAGS) -o $@ $(filter %.o,$^)
.SECONDARY:
