#ifndef HOTSHARD_CPREFETCH_H
#define HOTSHARD_CPREFETCH_H

/* Asks the CPU to start loading the cache line at `address` (for reading and writing soon) without
   waiting for it: the analyzer calls it for the table entries and statistics of messages a few
   places ahead, so that their cache misses overlap instead of following one another.
   Swift has no prefetch of its own. */
static inline void hotshard_prefetch(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif
