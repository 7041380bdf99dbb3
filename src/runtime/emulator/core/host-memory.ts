/**
 * How the emulator's own processes (the emulator, its Lambda runtime processes) ask glibc's malloc
 * to give freed memory back. By default malloc keeps what a process freed for reuse, and raises
 * its thresholds as large blocks come and go, so a Node process's resident size stays at its
 * high-water mark: V8's parser and compiler allocate tens of MB while a bundle loads, and the
 * emulator's request bodies and stream pages come and go by the thousand. Set, the thresholds stay
 * fixed. Measured (`npm run bench -- scale-10k`, one run each, 2,500 people): the emulator's peak
 * PSS 473 MB without, 386 MB with; a scraper's runtime process 98 MB resident after loading its
 * bundle without, 79 MB with; no measurable CPU difference. Where the C library is not glibc the
 * variable means nothing and changes nothing.
 */
export const MALLOC_TUNING: Readonly<Record<string, string>> = { MALLOC_TRIM_THRESHOLD_: "65536" };
