#include "CRendezvous.h"

/* RendezvousScheme.mix: splitmix64's finaliser of x + the golden gamma. */
static inline uint64_t hotshard_mix(uint64_t x) {
    uint64_t z = x + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t scan4_plain(const uint64_t *seeds, size_t from, size_t to, const uint64_t hashes[4],
                          uint64_t best_draw[4], int32_t best_node[4], int32_t *events) {
    size_t count = 0;
    for (size_t i = from; i < to; i++) {
        for (int lane = 0; lane < 4; lane++) {
            uint64_t draw = hotshard_mix(hashes[lane] ^ seeds[i]);
            if (draw > best_draw[lane]) {
                best_draw[lane] = draw;
                best_node[lane] = (int32_t)i;
                if (events) events[count++] = (int32_t)(i * 4 + (size_t)lane);
            }
        }
    }
    return count;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

/* The low 64 bits of a * c per lane, c given as its 32-bit halves: AVX2 multiplies only 32 x 32 -> 64 bits. */
__attribute__((target("avx2"))) static inline __m256i mul64(__m256i a, __m256i c_low, __m256i c_high) {
    __m256i low = _mm256_mul_epu32(a, c_low);
    __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(a, 32), c_low), _mm256_mul_epu32(a, c_high));
    return _mm256_add_epi64(low, _mm256_slli_epi64(cross, 32));
}

__attribute__((target("avx2")))
static size_t scan4_avx2(const uint64_t *seeds, size_t from, size_t to, const uint64_t hashes[4],
                         uint64_t best_draw[4], int32_t best_node[4], int32_t *events) {
    /* AVX2 compares signed 64-bit lanes only: both sides are offset by 2^63 to compare unsigned. */
    const __m256i sign = _mm256_set1_epi64x((long long)0x8000000000000000ULL);
    const __m256i golden = _mm256_set1_epi64x((long long)0x9e3779b97f4a7c15ULL);
    const __m256i m1_low = _mm256_set1_epi64x(0x1ce4e5b9LL), m1_high = _mm256_set1_epi64x(0xbf58476dLL);
    const __m256i m2_low = _mm256_set1_epi64x(0x133111ebLL), m2_high = _mm256_set1_epi64x(0x94d049bbLL);
    const __m256i hash = _mm256_loadu_si256((const __m256i *)hashes);
    __m256i best = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)best_draw), sign);
    size_t count = 0;
    for (size_t i = from; i < to; i++) {
        __m256i z = _mm256_add_epi64(_mm256_xor_si256(hash, _mm256_set1_epi64x((long long)seeds[i])), golden);
        z = mul64(_mm256_xor_si256(z, _mm256_srli_epi64(z, 30)), m1_low, m1_high);
        z = mul64(_mm256_xor_si256(z, _mm256_srli_epi64(z, 27)), m2_low, m2_high);
        __m256i draw = _mm256_xor_si256(_mm256_xor_si256(z, _mm256_srli_epi64(z, 31)), sign);
        __m256i higher = _mm256_cmpgt_epi64(draw, best);
        int rises = _mm256_movemask_pd(_mm256_castsi256_pd(higher));
        if (rises) {  /* about ln(to) times per key: the hot path is the draw and one compare */
            best = _mm256_blendv_epi8(best, draw, higher);
            for (int lane = 0; lane < 4; lane++) {
                if (rises & (1 << lane)) {
                    best_node[lane] = (int32_t)i;
                    if (events) events[count++] = (int32_t)(i * 4 + (size_t)lane);
                }
            }
        }
    }
    _mm256_storeu_si256((__m256i *)best_draw, _mm256_xor_si256(best, sign));
    return count;
}
#endif

size_t hotshard_rendezvous_scan4(const uint64_t *seeds, size_t from, size_t to, const uint64_t hashes[4],
                                 uint64_t best_draw[4], int32_t best_node[4], int32_t *events) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    if (__builtin_cpu_supports("avx2")) return scan4_avx2(seeds, from, to, hashes, best_draw, best_node, events);
#endif
    return scan4_plain(seeds, from, to, hashes, best_draw, best_node, events);
}
