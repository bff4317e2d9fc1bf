#pragma once

#include <stdint.h>

// Relaxed atomics on plain memory: the metrics counters live in a shared memory region that
// a worker writes and its supervisor reads, which Swift's `Atomic` (a value stored in place)
// cannot address. `static inline`, so the Swift compiler inlines each to one instruction.

/// Adds `value` to `*counter` (relaxed; wraps).
static inline void saas_counter_add(uint64_t *counter, uint64_t value) {
    __atomic_fetch_add(counter, value, __ATOMIC_RELAXED);
}

/// Subtracts `value` from `*counter` (relaxed; wraps).
static inline void saas_counter_subtract(uint64_t *counter, uint64_t value) {
    __atomic_fetch_sub(counter, value, __ATOMIC_RELAXED);
}

/// Reads `*counter` (relaxed).
static inline uint64_t saas_counter_load(const uint64_t *counter) {
    return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

/// Writes `*counter` (relaxed).
static inline void saas_counter_store(uint64_t *counter, uint64_t value) {
    __atomic_store_n(counter, value, __ATOMIC_RELAXED);
}

/// Reads `*word` with acquire ordering: what was written before its release store is visible.
static inline uint64_t saas_counter_load_acquire(const uint64_t *word) {
    return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

/// Writes `*word` with release ordering (publishes what was written before it).
static inline void saas_counter_store_release(uint64_t *word, uint64_t value) {
    __atomic_store_n(word, value, __ATOMIC_RELEASE);
}

/// Sets `*word` to `desired` if it holds `expected`; returns whether it did (acquire-release).
static inline int saas_counter_claim(uint64_t *word, uint64_t expected, uint64_t desired) {
    return __atomic_compare_exchange_n(word, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/// memfd_create(2) with MFD_CLOEXEC (hidden from Swift's Glibc module without _GNU_SOURCE).
int saas_memfd_create(const char *name);
