# mk/fuzz.mk - libFuzzer targets (clang) and their plain-main regression
# drivers (any CC).
#
#   make fuzz               build build/fuzz/fuzz_* and run each FUZZ_SECONDS
#                           (default 24), FUZZ_JOBS (default 2) at a time
#   make fuzz-long          the same for FUZZ_LONG_SECONDS (default 3600) each
#   make fuzz-drivers       build/fuzz-regress/fuzz_*: replay files, no clang
#   make fuzz FUZZ_TARGETS="decode"   run a subset
#
# fuzz_view runs the viewers' data layer (traceview/*.c, viewer/load.c ...)
# on the trace target's corpus; its rules are in mk/viewer.mk, which knows
# where SDL2 is.
#
# The fuzz build of the engine is single-threaded: -fopenmp is left out
# (clang would need libomp) and the engine's OpenMP pragmas are ignored,
# which changes no output (results never depend on the thread count).

CLANG        ?= clang
FUZZ_SECONDS ?= 24
FUZZ_LONG_SECONDS ?= 3600
FUZZ_JOBS    ?= 2
FUZZ_TARGETS ?= decode roundtrip trace view tok

FUZZ_FL := -std=gnu11 -g -O2 -ffp-contract=off -fno-fast-math -Iengine \
           -fno-omit-frame-pointer -fsanitize=address,undefined \
           -fno-sanitize-recover=undefined -Wall -Wno-unknown-pragmas -MMD -MP

# The dense numeric kernels get no coverage instrumentation: comparison
# tracing in their inner loops made a decode 5x slower and guides nothing.
# The model's per-token code keeps its edge coverage but not comparison
# tracing (which was half of a run's time there); the parsers (container,
# trace reader, tokenizer) keep both, for the magic values they compare.
FUZZ_NOCOV      := $(wildcard engine/vec*.c engine/ssm*.c)
FUZZ_NOCMP      := $(wildcard engine/model*.c engine/ngram.c engine/bytemix.c engine/tokbits.c \
                              engine/slotclass.c engine/newid.c engine/rc.c)
FUZZ_ENGINE_OBJ := $(ENGINE_SRC:%.c=$(B)/fuzz/obj/%.o)
FUZZ_BINS       := $(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%)
FUZZ_DRIVERS    := $(FUZZ_TARGETS:%=$(B)/fuzz-regress/fuzz_%)

.PHONY: fuzz-build fuzz-bins fuzz-drivers

$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC(fuzz) $<")
	$(Q)$(CLANG) $(FUZZ_FL) $(if $(filter $<,$(FUZZ_NOCOV)),,-fsanitize=fuzzer-no-link) \
	    $(if $(filter $<,$(FUZZ_NOCMP)),-fno-sanitize-coverage=trace-cmp) -c $< -o $@

$(B)/fuzz/libsmix.a: $(FUZZ_ENGINE_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(B)/fuzz/libsmix.a
	@$(if $(Q),echo "  LD(fuzz) $@")
	$(Q)$(CLANG) $(FUZZ_FL) -fsanitize=fuzzer -o $@ $< $(B)/fuzz/libsmix.a -lm

$(B)/fuzz-regress/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/regression_driver.c tests/fuzz/fuzz_common.h $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(BASEFL) $(CFLAGS) -o $@ $< tests/fuzz/regression_driver.c $(LIB) $(LDLIBS)

# Seed frames in small configurations for fuzz_decode (tests/fuzz/run.sh).
$(B)/fuzz-regress/make_seeds: tests/fuzz/make_seeds.c tests/fuzz/fuzz_common.h $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(BASEFL) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

fuzz-drivers: $(FUZZ_DRIVERS) $(B)/fuzz-regress/make_seeds

# The clang check comes first, so a missing clang gives one clear line.
fuzz-build:
	$(Q)command -v $(CLANG) >/dev/null 2>&1 || \
	  { echo "make fuzz: $(CLANG) not found (make deps installs it)" >&2; exit 1; }
	$(Q)$(MAKE) --no-print-directory fuzz-bins

fuzz-bins: $(FUZZ_BINS) $(B)/smix $(B)/fuzz-regress/make_seeds
	@:

fuzz: fuzz-build
	$(Q)bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

fuzz-long: fuzz-build
	$(Q)bash tests/fuzz/run.sh $(FUZZ_LONG_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

-include $(wildcard $(B)/fuzz/obj/*/*.d)
