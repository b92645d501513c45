/* qbench error --data (cmd_error_data.c). */
#ifndef QB_CMD_ERROR_DATA_H
#define QB_CMD_ERROR_DATA_H

#include <stdio.h>

typedef struct qb_error_data_opts {
  const char* path;    /* .safetensors or .npy */
  const char* tensor;  /* one safetensors tensor, or NULL for all */
  const char* formats; /* comma list, or NULL for every format */
  int axis;            /* per-channel axis (default 0) */
  int json;
  FILE* out; /* where the data goes (cli.h: qb_cli_out) */
} qb_error_data_opts;

/* Returns the exit code: 0, 1 (a format failed on a tensor), 2 (bad usage or input). */
int qb_error_data(const qb_error_data_opts* o);

#endif
