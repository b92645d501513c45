/*
 * The timing tables of the reports (`qbench compare`, `qbench compare --paired`): aligned
 * text or markdown, the name left-aligned, the figures right-aligned, each column as
 * wide as its widest cell; and the cells' formats they share.
 */
#ifndef QB_REPORT_TABLE_H
#define QB_REPORT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The longest figure cell (the name, cell 0, is the row's own string). */
#define QB_REPORT_CELL 64
#define QB_REPORT_MAX_COLS 16

/* Row i of `rows`: its name, with its figures in cells[1..ncol-1]; NULL leaves the row out. */
typedef const char* qb_report_row_fn(const void* rows, size_t i, char cells[][QB_REPORT_CELL]);

/* Heading `head[0..ncol-1]`, then each row that `row` gives, in order; in text each line
 * starts with `indent`. ncol is at most QB_REPORT_MAX_COLS. */
void qb_report_table(FILE* f, bool md, const char* indent, size_t ncol, const char* const* head, size_t nrows,
                     qb_report_row_fn* row, const void* rows);

/* A time in nanoseconds with its unit (ns, us, ms, s), or "-" when not finite. */
void qb_report_fmt_time(char* buf, size_t len, double ns);

/* A signed percentage with `decimals` places ("+1.25%"), or "-" when not finite. */
void qb_report_fmt_pct(char* buf, size_t len, double pct, int decimals);

#endif
