# Trace tools (engine/trace_*.c, cli/trace_cmds.c, tools/trace_synth.c).
#   make build/trace_synth    synthetic trace writer: build/trace_synth IN OUT.smt
#   make build/forge          hostile but well-sealed .smx/.smt files for the
#                             tests (tools/forge.c)
# trace_synth links only the trace writer and the checksum, so it builds even
# while the rest of the engine is in flux (the viewers test against it).
TRACE_SYNTH_OBJ := $(B)/obj/tools/trace_synth.o $(B)/obj/engine/trace_write.o \
                   $(B)/obj/engine/checksum.o

all: $(B)/trace_synth

$(B)/trace_synth: $(TRACE_SYNTH_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

all: $(B)/forge

$(B)/forge: $(B)/obj/tools/forge.o $(B)/obj/engine/checksum.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
