package org.unionfsjava.fs;

import java.time.Duration;
import java.util.List;

/**
 * How long the kernel may trust what the union answered, and when it keeps a file's pages: the
 * one policy both front-ends apply, decided by the lower mode. libfuse 3's adapter ({@code
 * UnionLowLevel}) gives it per answer; libfuse2's takes it as mount options ({@link
 * #libfuse2Options}).
 *
 * <ul>
 *   <li>{@link LowerMode#FIXED}: entries, attributes and negative entries for {@link
 *       #FIXED_TIMEOUT}; the page cache kept across opens ({@code kernel_cache}), listings kept in
 *       the kernel.
 *   <li>{@link LowerMode#CHANGING}: the cache TTL; the page cache kept only while a file's mtime and
 *       size stay as the last open saw them ({@code auto_cache}).
 * </ul>
 *
 * @param timeout how long entries, attributes and negative entries are valid in the kernel
 * @param fixedLowers the lowers do not change while mounted: pages and listings are kept
 */
record KernelCachePolicy(Duration timeout, boolean fixedLowers) {

  /** The kernel timeouts in fixed lower mode. */
  static final Duration FIXED_TIMEOUT = Duration.ofHours(1);

  /** The policy of a lower mode; {@code cacheTtl} counts in changing mode only. */
  static KernelCachePolicy of(LowerMode mode, Duration cacheTtl) {
    return mode == LowerMode.FIXED ? new KernelCachePolicy(FIXED_TIMEOUT, true)
        : new KernelCachePolicy(cacheTtl, false);
  }

  /** The timeout in seconds, as libfuse takes it (milliseconds kept). */
  double timeoutSeconds() {
    return timeout.toMillis() / 1000.0;
  }

  /** Whether every open keeps the page cache (not only opens of unchanged data). */
  boolean keepsPageCache() {
    return fixedLowers;
  }

  /** Whether the kernel may keep directory listings (FOPEN_CACHE_DIR). */
  boolean keepsListings() {
    return fixedLowers;
  }

  /** The policy as libfuse2 mount options: the three timeouts, then kernel_cache or auto_cache. */
  List<String> libfuse2Options() {
    double t = timeoutSeconds();
    return List.of("attr_timeout=" + t, "entry_timeout=" + t, "negative_timeout=" + t,
        fixedLowers ? "kernel_cache" : "auto_cache");
  }
}
