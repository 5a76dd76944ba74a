# smix-view, the SDL2 graphical trace viewer (viewer/*.c).
#   make build/smix-view     needs libsdl2-dev and libsdl2-ttf-dev (pkg-config
#                            sdl2 SDL2_ttf, or sdl2-config) and, at run time,
#                            the DejaVu Sans Mono font (fonts-dejavu-core).
# It uses only engine/smix.h and engine/smix_trace.h from the engine.
VIEW_SRC    := $(wildcard viewer/*.c)
VIEW_OBJ    := $(VIEW_SRC:%.c=$(B)/obj/%.o)
VIEW_CFLAGS := $(shell pkg-config --cflags sdl2 SDL2_ttf 2>/dev/null || sdl2-config --cflags 2>/dev/null)
VIEW_LIBS   := $(shell pkg-config --libs sdl2 SDL2_ttf 2>/dev/null || { sdl2-config --libs 2>/dev/null && echo -lSDL2_ttf; })

all: $(B)/smix-view

$(VIEW_OBJ): BASEFL += $(VIEW_CFLAGS)

ifeq ($(strip $(VIEW_LIBS)),)
# No SDL2 development files: say what to install instead of a compiler error.
$(B)/smix-view:
	@echo "smix-view needs SDL2 and SDL2_ttf: run 'make deps' (as root it installs them)" >&2
	@echo "  or: apt-get install libsdl2-dev libsdl2-ttf-dev fonts-dejavu-core" >&2
	@exit 1
else
$(B)/smix-view: $(VIEW_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(VIEW_OBJ) $(LIB) $(VIEW_LIBS) $(LDLIBS)
endif
