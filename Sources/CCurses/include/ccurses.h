int ccurses_placeholder(void);
