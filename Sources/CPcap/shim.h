#ifndef HOTSHARD_CPCAP_SHIM_H
#define HOTSHARD_CPCAP_SHIM_H
#include <pcap/pcap.h>
#include <zlib.h>
#include <stdio.h>
#include <limits.h>
#include <sys/types.h>

/* glibc's fopencookie, declared here because the Glibc module is built without _GNU_SOURCE.
   The layout is glibc's cookie_io_functions_t. */
typedef struct {
    ssize_t (*read)(void *cookie, char *buffer, size_t size);
    ssize_t (*write)(void *cookie, const char *buffer, size_t size);
    int (*seek)(void *cookie, long *offset, int whence);
    int (*close)(void *cookie);
} hotshard_cookie_io_functions;
extern FILE *fopencookie(void *cookie, const char *mode, hotshard_cookie_io_functions functions);

static ssize_t hotshard_gzip_read(void *cookie, char *buffer, size_t size) {
    return gzread((gzFile)cookie, buffer, size > INT_MAX ? INT_MAX : (unsigned)size);
}

static int hotshard_gzip_close(void *cookie) {
    return gzclose((gzFile)cookie) == Z_OK ? 0 : -1;
}

/* A read-only FILE that inflates a gzip file as libpcap reads it; closing it closes the gzip file. */
static inline FILE *hotshard_gzip_fopen(gzFile gzip) {
    hotshard_cookie_io_functions functions = { hotshard_gzip_read, NULL, NULL, hotshard_gzip_close };
    return fopencookie(gzip, "r", functions);
}
#endif
