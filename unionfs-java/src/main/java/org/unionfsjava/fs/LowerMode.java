package org.unionfsjava.fs;

/**
 * What the user knows about the lowers while the union is mounted; it decides how long the
 * kernel and the union may trust what they read from them.
 */
public enum LowerMode {
  /**
   * The lowers may change underneath (an NFS export with another writer): facts from a lower are
   * trusted for the cache TTL only, kernel timeouts are no longer, and the page cache is
   * revalidated on open ({@code auto_cache}). The default.
   */
  CHANGING,
  /**
   * The lowers never change while mounted (a read-only image): long kernel timeouts and a kept page
   * cache. Fastest; a change made below anyway may stay invisible until remount.
   */
  FIXED
}
