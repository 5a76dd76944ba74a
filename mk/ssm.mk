# SSM module: benchmark tool (not part of `all`).
#   make build/ssm_bench            optimised build of tools/ssm_bench.c
#   make build/ssm_bench-portable   same with the portable (no SIMD) flags,
#                                   for checking that predictions match bit for bit
# Linked against the SSM objects only, so it builds even while other engine
# modules are in flux.
SSM_SRC      := engine/ssm.c engine/ssm_block.c engine/ssm_head.c
SSM_OBJ      := $(SSM_SRC:%.c=$(B)/obj/%.o)
SSM_PORT_OBJ := $(SSM_SRC:%.c=$(B)/obj-portable/%.o)

.PHONY: ssm-bench
ssm-bench: $(B)/ssm_bench $(B)/ssm_bench-portable

$(B)/ssm_bench: $(B)/obj/tools/ssm_bench.o $(SSM_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/ssm_bench-portable: $(B)/obj-portable/tools/ssm_bench.o $(SSM_PORT_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -O2 $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The SSM's loops need the vectoriser's dynamic cost model (-O2 in GCC 12
# only vectorises trivially counted loops). Floats stay exact: no fast-math,
# -ffp-contract=off, so -O3 computes the same bits as the portable -O2 build.
# Compilers without GCC's cost-model flag (clang) get -ftree-vectorize alone
# (tests/test_builds.sh checks that a clang build writes the same bytes).
ifeq ($(origin SSM_VECFL),undefined)
SSM_VECFL := -ftree-vectorize $(shell $(CC) -Werror -fvect-cost-model=dynamic -x c \
               -c -o /dev/null /dev/null >/dev/null 2>&1 && echo -fvect-cost-model=dynamic)
endif
$(SSM_OBJ): CFLAGS += $(SSM_VECFL)
