# smix - online neural lossless compressor
#
# Targets:   all (default) check test demo bench bench-full bench-scale check-long fuzz
#            fuzz-long sanitize portable vocab install uninstall clean help
# Knobs:     CC CFLAGS LDFLAGS PREFIX DESTDIR V=1 BENCH=full
#
# Bit-exact decoding: model code is built with -ffp-contract=off and never
# with fast-math, Ofast or native-arch flags. SIMD kernels are selected at run time
# (target_clones) and are written so every variant computes identical bits;
# build/smix-portable is the same code with no SIMD at all.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man/man1
CC      ?= cc
CFLAGS  ?= -O2 -g
# Optimisation of the engine's hot code (any level decodes the same files).
ENGINE_OPT ?= -O3
B       := build

ifeq ($(V),1)
Q :=
else
Q := @
endif

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
BASEFL  := -std=gnu11 $(WARN) -ffp-contract=off -fno-fast-math -fno-trapping-math -fopenmp -MMD -MP -Iengine
LDLIBS  := -lm -fopenmp

ENGINE_SRC := $(wildcard engine/*.c)
ENGINE_OBJ := $(ENGINE_SRC:%.c=$(B)/obj/%.o)
PORT_OBJ   := $(ENGINE_SRC:%.c=$(B)/obj-portable/%.o)
CLI_SRC    := $(wildcard cli/*.c)
CLI_OBJ    := $(CLI_SRC:%.c=$(B)/obj/%.o)
PORTCLI_OBJ:= $(CLI_SRC:%.c=$(B)/obj-portable/%.o)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

LIB        := $(B)/libsmix.a
PORTLIB    := $(B)/libsmix-portable.a

.PHONY: all check test demo bench bench-full check-long fuzz fuzz-long sanitize \
        portable vocab install uninstall clean help deps unit

all: $(B)/smix

help:
	@sed -n '1,12p' Makefile

deps:
	$(Q)sh tools/deps.sh

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(BASEFL) $(CFLAGS) -c $< -o $@

$(B)/obj-portable/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC(port) $<")
	$(Q)$(CC) $(BASEFL) -DSMIX_PORTABLE -O2 -g -mno-sse3 -c $< -o $@

$(ENGINE_OBJ): CFLAGS += $(ENGINE_OPT)

$(LIB): $(ENGINE_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(PORTLIB): $(PORT_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/smix: $(CLI_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(B)/smix-portable: $(PORTCLI_OBJ) $(PORTLIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -O2 $(LDFLAGS) -o $@ $(PORTCLI_OBJ) $(PORTLIB) $(LDLIBS)

portable: $(B)/smix-portable

$(B)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(BASEFL) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

unit: $(UNIT_BIN)
	$(Q)set -e; for t in $(UNIT_BIN); do echo "== $$t"; ./$$t; done

# Module makefiles (one per area) add binaries and test steps.
include $(sort $(wildcard mk/*.mk))

-include $(wildcard $(B)/obj/*/*.d $(B)/obj-portable/*/*.d $(B)/tests/*.d)
