# smix-view, the SDL2 graphical trace viewer (viewer/*.c).
#   make build/smix-view     needs libsdl2-dev, libsdl2-ttf-dev and
#                            libsdl2-image-dev (pkg-config sdl2 SDL2_ttf
#                            SDL2_image, or sdl2-config) and, at run time,
#                            the DejaVu Sans Mono font (fonts-dejavu-core).
# It uses only engine/smix.h and engine/smix_trace.h from the engine.
VIEW_SRC    := $(wildcard viewer/*.c traceview/*.c)
VIEW_OBJ    := $(VIEW_SRC:%.c=$(B)/obj/%.o)
VIEW_CFLAGS := $(shell pkg-config --cflags sdl2 SDL2_ttf SDL2_image 2>/dev/null || sdl2-config --cflags 2>/dev/null)
VIEW_LIBS   := $(shell pkg-config --libs sdl2 SDL2_ttf SDL2_image 2>/dev/null || \
                 { sdl2-config --libs 2>/dev/null && echo -lSDL2_ttf -lSDL2_image; })

all: $(B)/smix-view

$(VIEW_OBJ): BASEFL += $(VIEW_CFLAGS) -Itraceview

ifeq ($(strip $(VIEW_LIBS)),)
# No SDL2 development files: say what to install instead of a compiler error.
$(B)/smix-view:
	@echo "smix-view needs SDL2, SDL2_ttf and SDL2_image: run 'make deps' (as root it installs them)" >&2
	@echo "  or: apt-get install libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev fonts-dejavu-core" >&2
	@exit 1
else
$(B)/smix-view: $(VIEW_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(VIEW_OBJ) $(LIB) $(VIEW_LIBS) $(LDLIBS)
endif

# ---- the fuzz target of the viewers' data layer (tests/fuzz/fuzz_view.c):
# what smix-tui and smix-view compute from a trace before drawing, in the
# libFuzzer build (clang, mk/fuzz.mk), the plain-main regression driver and
# the sanitizer build (mk/core.mk). Here because it needs SDL2's flags.
VIEWDATA_SRC := $(wildcard traceview/*.c) viewer/load.c viewer/pyr.c

$(B)/fuzz/obj/viewer/%.o: FUZZ_FL += $(VIEW_CFLAGS) -Itraceview
$(B)/san/obj/viewer/%.o: BASEFL += $(VIEW_CFLAGS) -Itraceview

$(B)/fuzz/fuzz_view: tests/fuzz/fuzz_view.c tests/fuzz/fuzz_trace_file.h \
                     $(VIEWDATA_SRC:%.c=$(B)/fuzz/obj/%.o) $(B)/fuzz/libsmix.a
	@$(if $(Q),echo "  LD(fuzz) $@")
	$(Q)$(CLANG) $(FUZZ_FL) $(VIEW_CFLAGS) -Itraceview -fsanitize=fuzzer -o $@ $< \
	    $(VIEWDATA_SRC:%.c=$(B)/fuzz/obj/%.o) $(B)/fuzz/libsmix.a $(VIEW_LIBS) -lm

$(B)/fuzz-regress/fuzz_view: tests/fuzz/fuzz_view.c tests/fuzz/regression_driver.c \
                             tests/fuzz/fuzz_trace_file.h $(VIEWDATA_SRC:%.c=$(B)/obj/%.o) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(BASEFL) $(VIEW_CFLAGS) -Itraceview $(CFLAGS) -o $@ $< tests/fuzz/regression_driver.c \
	    $(VIEWDATA_SRC:%.c=$(B)/obj/%.o) $(LIB) $(VIEW_LIBS) $(LDLIBS)

$(B)/san/fuzz_view: tests/fuzz/fuzz_view.c tests/fuzz/regression_driver.c \
                    tests/fuzz/fuzz_trace_file.h $(VIEWDATA_SRC:%.c=$(B)/san/obj/%.o) $(B)/san/libsmix.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BASEFL) $(VIEW_CFLAGS) -Itraceview $(SAN_FL) -o $@ $< tests/fuzz/regression_driver.c \
	    $(VIEWDATA_SRC:%.c=$(B)/san/obj/%.o) $(B)/san/libsmix.a $(VIEW_LIBS) $(LDLIBS)
