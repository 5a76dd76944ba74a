# smix-tui, the ncurses trace viewer (tui/*.c).
#   make build/smix-tui      needs the ncursesw development files
#                            (Debian: libncurses-dev); tests need tmux.
# It uses only engine/smix.h and engine/smix_trace.h from the engine.
TUI_SRC    := $(wildcard tui/*.c traceview/*.c)
TUI_OBJ    := $(TUI_SRC:%.c=$(B)/obj/%.o)
TUI_CFLAGS := $(shell pkg-config --cflags ncursesw 2>/dev/null)
TUI_LIBS   := $(shell pkg-config --libs ncursesw 2>/dev/null || echo -lncursesw -ltinfo)

all: $(B)/smix-tui

$(TUI_OBJ): BASEFL += $(TUI_CFLAGS) -Itraceview

TUI_HAVE := $(shell { pkg-config --exists ncursesw || [ -e /usr/include/ncursesw/ncurses.h ]; } 2>/dev/null && echo y)
ifneq ($(TUI_HAVE),y)
# No ncursesw development files: say what to install instead of a compiler error.
$(B)/smix-tui:
	@echo "smix-tui needs the ncursesw development files: run 'make deps' (as root it installs them)" >&2
	@echo "  or: apt-get install libncurses-dev" >&2
	@exit 1
else
$(B)/smix-tui: $(TUI_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TUI_OBJ) $(LIB) $(TUI_LIBS) $(LDLIBS)
endif
