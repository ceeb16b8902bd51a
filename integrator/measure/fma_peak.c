/* The machine's fp32 arithmetic peak: independent FMA chains in registers, on N threads.
 * Nothing touches memory in the loop, so no library or model can go faster.
 * Built several ways by peak.py (-DBYTES=32|64 vector width, -DCHAINS=12|24 independent
 * chains), which keeps the fastest: a CPU may run 256-bit code at a higher clock than 512-bit
 * code, and a core may need more chains in flight than FMA latency x FMA ports on the CPUs seen.
 * Usage: fma_peak THREADS ITERATIONS  ->  prints "<seconds> <flops> <vector bits> <cpus>". */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifndef BYTES
#if defined(__AVX512F__)
#define BYTES 64
#else
#define BYTES 32
#endif
#endif
#ifndef CHAINS
#define CHAINS 12
#endif
#define LANES (BYTES / 4)

typedef float vec __attribute__((vector_size(BYTES)));

/* One macro per chain count, expanding F(i) for every chain: named variables, not an array,
 * so that the compiler keeps every chain in a register (an array spills to the stack). */
#define EACH_12(F) F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10) F(11)
#define EACH_24(F) EACH_12(F) F(12) F(13) F(14) F(15) F(16) F(17) F(18) F(19) F(20) F(21) F(22) F(23)
#define EXPAND(n) EACH_##n
#define EACH(n) EXPAND(n)

#define DECLARE(i) vec x##i = start + (float)(i);
#define STEP(i) x##i = x##i * m + a; /* one FMA */
/* Registers stay registers, and the compiler may not fold the chains away. */
#define KEEP(i) __asm__ volatile("" : "+v"(x##i));
#define ADD(i) s += x##i;

static long iterations;
static float sink[256];

static void *work(void *arg) {
    long id = (long)arg;
    vec m, a, start, s = {0};
    for (int i = 0; i < LANES; i++) {
        m[i] = 0.999999f;
        a[i] = 1e-7f;
        start[i] = (float)(i + id);
    }
    EACH(CHAINS)(DECLARE)
    for (long n = 0; n < iterations; n++) {
        EACH(CHAINS)(STEP)
        EACH(CHAINS)(KEEP)
    }
    EACH(CHAINS)(ADD)
    float total = 0;
    for (int i = 0; i < LANES; i++) total += s[i];
    sink[id % 256] = total;
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    iterations = argc > 2 ? atol(argv[2]) : 100000000L;
    /* A parent pinned to one CPU (a thread pool's binding, inherited by this process) would
     * put every thread on one core: allow every CPU this process may use (the kernel keeps
     * the cgroup's own limit), and report how many that is. */
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    for (int c = 0; c < CPU_SETSIZE; c++) CPU_SET(c, &cpus);
    sched_setaffinity(0, sizeof cpus, &cpus);
    sched_getaffinity(0, sizeof cpus, &cpus);

    pthread_t tid[256];
    if (threads < 1 || threads > 256) return 2;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long t = 0; t < threads; t++) pthread_create(&tid[t], NULL, work, (void *)t);
    for (int t = 0; t < threads; t++) pthread_join(tid[t], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
    double flops = 2.0 * LANES * CHAINS * (double)iterations * threads;
    printf("%.9f %.0f %d %d\n", seconds, flops, BYTES * 8, CPU_COUNT(&cpus));
    return sink[0] == 12345.0f; /* keep the results alive */
}
