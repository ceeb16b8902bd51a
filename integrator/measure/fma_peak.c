/* The machine's fp32 arithmetic peak: independent FMA chains on the widest vectors the
 * compiler targets (-march=native: 512-bit where the CPU has AVX-512, else 256-bit), on N
 * threads. Nothing touches memory in the loop, so no library or model can go faster.
 * Usage: fma_peak THREADS ITERATIONS  ->  prints "<seconds> <flops> <vector bits>". */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
#define BYTES 64
#else
#define BYTES 32
#endif
#define LANES (BYTES / 4)
#define CHAINS 12 /* independent chains > FMA latency x FMA ports on every x86 seen */

typedef float vec __attribute__((vector_size(BYTES)));

static long iterations;
static float sink[256];

#define CHAIN(x) x = x * m + a; /* one FMA */

static void *work(void *arg) {
    long id = (long)arg;
    vec m, a, x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11;
    for (int i = 0; i < LANES; i++) {
        m[i] = 0.999999f;
        a[i] = 1e-7f;
        x0[i] = x1[i] = x2[i] = x3[i] = x4[i] = x5[i] = (float)(i + id);
        x6[i] = x7[i] = x8[i] = x9[i] = x10[i] = x11[i] = (float)(i - id);
    }
    for (long n = 0; n < iterations; n++) {
        CHAIN(x0) CHAIN(x1) CHAIN(x2) CHAIN(x3) CHAIN(x4) CHAIN(x5)
        CHAIN(x6) CHAIN(x7) CHAIN(x8) CHAIN(x9) CHAIN(x10) CHAIN(x11)
        /* Registers stay registers, and the compiler may not fold the chains away. */
        __asm__ volatile("" : "+x"(x0), "+x"(x1), "+x"(x2), "+x"(x3), "+x"(x4), "+x"(x5),
                         "+x"(x6), "+x"(x7), "+x"(x8), "+x"(x9), "+x"(x10), "+x"(x11));
    }
    vec s = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11;
    float total = 0;
    for (int i = 0; i < LANES; i++) total += s[i];
    sink[id % 256] = total;
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    iterations = argc > 2 ? atol(argv[2]) : 100000000L;
    pthread_t tid[256];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long t = 0; t < threads; t++) pthread_create(&tid[t], NULL, work, (void *)t);
    for (int t = 0; t < threads; t++) pthread_join(tid[t], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
    double flops = 2.0 * LANES * CHAINS * (double)iterations * threads;
    printf("%.9f %.0f %d\n", seconds, flops, BYTES * 8);
    return sink[0] == 12345.0f; /* keep the results alive */
}
