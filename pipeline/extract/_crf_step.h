/* One step of the CRF decoder (see _crf.pyx), for scores without a NaN:
 *   best[j] = max over i of dp[i] + transitions[i*T + j],  arg[j] = the first such i.
 * The previous tags run in the outer loop and the next tags in the inner one, whose
 * compare-and-select is written as bit masks so that the compiler makes it vector
 * instructions (a branch or ?: keeps it scalar). The sums are the same floats. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void crf_step(const float *dp, const float *transitions, ptrdiff_t T,
                            float *best, int32_t *arg)
{
    for (ptrdiff_t j = 0; j < T; j++) {
        best[j] = dp[0] + transitions[j];
        arg[j] = 0;
    }
    for (ptrdiff_t i = 1; i < T; i++) {
        const float d = dp[i];
        const float *row = transitions + i * T;
        const int32_t k = (int32_t)i;
        for (ptrdiff_t j = 0; j < T; j++) {
            const float s = d + row[j];
            const float b = best[j];
            const int32_t greater = -(int32_t)(s > b);     /* all ones where s wins */
            int32_t si, bi, ri;
            memcpy(&si, &s, sizeof si);
            memcpy(&bi, &b, sizeof bi);
            ri = (si & greater) | (bi & ~greater);
            memcpy(&best[j], &ri, sizeof ri);
            arg[j] = (k & greater) | (arg[j] & ~greater);
        }
    }
}
