/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Records the largest single heap request made while watching, by interposing
 * malloc/calloc/realloc on glibc's own entry points. Lets the decoder tests prove
 * that a peer's claimed size is never allocated. Sanitizer builds bring their own
 * allocator: there the watch reports itself unavailable and the tests skip that
 * assertion.
 */

#include <stdbool.h>
#include <stddef.h>

#include "alloc-watch.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ALLOC_WATCH_AVAILABLE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define ALLOC_WATCH_AVAILABLE 0
#endif
#endif
#ifndef ALLOC_WATCH_AVAILABLE
#define ALLOC_WATCH_AVAILABLE 1
#endif

static bool watching;
static size_t largest;

#if ALLOC_WATCH_AVAILABLE
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);

void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *ptr, size_t size);

static void note(size_t size)
{
    if (watching && size > largest)
        largest = size;
}

void *malloc(size_t size)
{
    note(size);
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    note(n * size);
    return __libc_calloc(n, size);
}

void *realloc(void *ptr, size_t size)
{
    note(size);
    return __libc_realloc(ptr, size);
}
#endif

bool alloc_watch_available(void)
{
    return ALLOC_WATCH_AVAILABLE;
}

void alloc_watch_start(void)
{
    largest = 0;
    watching = true;
}

size_t alloc_watch_stop(void)
{
    watching = false;
    return largest;
}
