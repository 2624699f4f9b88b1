#ifndef HOTSHARD_CRENDEZVOUS_H
#define HOTSHARD_CRENDEZVOUS_H
#include <stddef.h>
#include <stdint.h>

/* Continues four keys' uniform-weight rendezvous scans over seeds[from..<to]: for each lane, the
   draw splitmix64(hashes[lane] ^ seeds[i]) replaces best_draw[lane] / best_node[lane] = i when it
   is strictly larger (unsigned), nodes in increasing order, exactly as a plain loop would. When
   `events` is not NULL, each rise is written there as i * 4 + lane, in node order (lanes in order
   within a node); it must hold 4 * (to - from) values. Returns the number of rises.
   AVX2 draws four keys at once where the CPU has it (checked at run time); a plain loop otherwise. */
size_t hotshard_rendezvous_scan4(const uint64_t *seeds, size_t from, size_t to, const uint64_t hashes[4],
                                 uint64_t best_draw[4], int32_t best_node[4], int32_t *events);

#endif
