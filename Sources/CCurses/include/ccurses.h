#ifndef CCURSES_H
#define CCURSES_H

// Wide-character curses: these must come before any curses header, and
// SwiftPM does not pass pkg-config's -D flags on, so they live here.
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <ncurses.h>

// Style bits passed from Swift.
enum { CC_BOLD = 1, CC_UNDERLINE = 2, CC_REVERSE = 4, CC_DIM = 8 };

// Key kinds returned by cc_read_key.
enum { CC_TIMEOUT = 0, CC_CHARACTER = 1, CC_FUNCTION = 2 };

// Starts curses on the terminal: locale, raw keys, short Esc delay, colours,
// mouse, hidden cursor, and signal handlers that give the terminal back on
// Ctrl-C, SIGTERM or a crash. Returns 0, or -1 when there is no terminal.
int cc_start(void);
// Gives the terminal back as it was.
void cc_stop(void);

int cc_lines(void);
int cc_columns(void);
// How many colours the terminal has: 0 (none), 8, 16, 256 ...
int cc_colors(void);
// Sets colour pair `pair` (1...) to fg/bg, -1 meaning the terminal default.
int cc_define_pair(int pair, int fg, int bg);
// Writes a NUL-terminated wide string at (y, x) in the style given.
void cc_put(int y, int x, const wchar_t *text, unsigned style, int pair);
void cc_refresh(void);
// Waits up to timeout_ms for a key; returns a CC_ kind and the code.
int cc_read_key(int timeout_ms, unsigned *code);
// The position of the last mouse press; 0 when there was one.
int cc_mouse_position(int *x, int *y);

#endif
