# Trace tools (engine/trace_*.c, cli/trace_cmds.c, tools/trace_synth.c).
#   make build/trace_synth    synthetic trace writer: build/trace_synth IN OUT.smt
#   make build/forge          hostile but well-sealed .smx/.smt files for the
#                             tests (tools/forge.c)
# trace_synth links the engine for its trace writer and its component table.
all: $(B)/trace_synth

$(B)/trace_synth: $(B)/obj/tools/trace_synth.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

all: $(B)/forge

$(B)/forge: $(B)/obj/tools/forge.o $(B)/obj/engine/checksum.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
