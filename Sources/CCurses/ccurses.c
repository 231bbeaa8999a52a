#include "ccurses.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved_termios;
static int have_saved_termios = 0;
static volatile sig_atomic_t started = 0;

// What the terminal needs to be usable again: leave the alternate screen,
// show the cursor, stop mouse reports, reset colours. Only async-signal-safe
// calls here, as it runs inside signal handlers.
static void restore_terminal_raw(void) {
    static const char reset[] = "\033[?1000l\033[?1002l\033[?1006l\033[0m\033[?25h\033[?1049l\r\n";
    if (have_saved_termios) tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
    ssize_t ignored = write(STDOUT_FILENO, reset, sizeof reset - 1);
    (void)ignored;
}

static void on_fatal_signal(int sig) {
    if (started) {
        started = 0;
        restore_terminal_raw();
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_handlers(void) {
    const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGABRT, SIGTRAP, SIGFPE };
    sigset_t unblock;
    sigemptyset(&unblock);
    // A parent may have started us with these blocked; the console needs them.
    sigaddset(&unblock, SIGWINCH);
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_fatal_signal;
        sigemptyset(&action.sa_mask);
        sigaction(signals[i], &action, NULL);
        sigaddset(&unblock, signals[i]);
    }
    pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
}

int cc_start(void) {
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) return -1;
    if (tcgetattr(STDIN_FILENO, &saved_termios) == 0) have_saved_termios = 1;
    setlocale(LC_ALL, "");
    if (initscr() == NULL) return -1;
    started = 1;
    install_handlers();
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    if (has_colors()) {
        start_color();
        use_default_colors();
    }
    mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED, NULL);
    mouseinterval(0);
    return 0;
}

void cc_stop(void) {
    if (!started) return;
    started = 0;
    // A blank screen before leaving it: a terminal that resized while the
    // console ran (tmux, grown) may not restore the shell's screen whole,
    // and must then show nothing rather than the last frame.
    erase();
    refresh();
    endwin();
}

int cc_lines(void) { return LINES; }
int cc_columns(void) { return COLS; }
int cc_colors(void) { return has_colors() ? COLORS : 0; }

int cc_define_pair(int pair, int fg, int bg) {
    return init_extended_pair(pair, fg, bg);
}

void cc_put(int y, int x, const wchar_t *text, unsigned style, int pair) {
    attr_t attrs = A_NORMAL;
    if (style & CC_BOLD) attrs |= A_BOLD;
    if (style & CC_UNDERLINE) attrs |= A_UNDERLINE;
    if (style & CC_REVERSE) attrs |= A_REVERSE;
    if (style & CC_DIM) attrs |= A_DIM;
    int extended_pair = pair;
    attr_set(attrs, 0, &extended_pair);
    mvaddwstr(y, x, text);
}

void cc_refresh(void) { refresh(); }

int cc_read_key(int timeout_ms, unsigned *code) {
    timeout(timeout_ms);
    wint_t key = 0;
    int result = get_wch(&key);
    *code = (unsigned)key;
    if (result == ERR) return CC_TIMEOUT;
    return result == KEY_CODE_YES ? CC_FUNCTION : CC_CHARACTER;
}

int cc_mouse_position(int *x, int *y) {
    MEVENT event;
    if (getmouse(&event) != OK) return -1;
    *x = event.x;
    *y = event.y;
    return 0;
}
