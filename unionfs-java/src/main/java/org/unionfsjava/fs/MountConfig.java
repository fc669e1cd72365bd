package org.unionfsjava.fs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.unionfsjava.model.WhiteoutChoice;

/**
 * Everything a union mount is made from, as the user chose it: the CLI builds it once from its
 * command line and the JVM's tuning properties, and everything below reads it, never the command
 * line or the system properties again.
 *
 * @param upper the writable branch
 * @param lowers the read-only branches, top first (at least one)
 * @param mountPoint where the union appears
 * @param workDir the work directory for copy-up temporaries, or null for the default
 *     ({@code UPPER/.unionfs-java}, hidden in the union); must be on the upper's filesystem
 * @param whiteout the whiteout format asked for ({@link WhiteoutChoice#AUTO} if null)
 * @param lowerMode whether the lowers may change while mounted ({@link LowerMode})
 * @param cacheTtl how long facts taken from a lower are trusted in {@link LowerMode#CHANGING}
 *     mode (also the kernel timeouts there); fixed mode trusts them for the mount's life
 * @param fuseOptions extra {@code -o} options passed to FUSE as given
 * @param fuseDebug libfuse's debug output ({@code -d})
 * @param tuning the knobs that are system properties ({@link Tuning#defaults} if null)
 */
public record MountConfig(
    Path upper,
    List<Path> lowers,
    Path mountPoint,
    Path workDir,
    WhiteoutChoice whiteout,
    LowerMode lowerMode,
    Duration cacheTtl,
    List<String> fuseOptions,
    boolean fuseDebug,
    Tuning tuning) {

  /** The default TTL for facts taken from a lower. */
  public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(1);

  /**
   * The longest TTL: beyond a day "the lowers may change" no longer describes them, and fixed
   * lower mode is the honest choice. Nothing below breaks before it (the kernel clamps its
   * timeouts; the cache counts nanoseconds, which overflow after 292 years), but a bound that a
   * person can read keeps the command line, the background server's re-encoding of it and the
   * cache in agreement.
   */
  public static final Duration MAX_CACHE_TTL = Duration.ofHours(24);

  public MountConfig {
    Objects.requireNonNull(upper, "upper");
    Objects.requireNonNull(mountPoint, "mountPoint");
    lowers = List.copyOf(lowers);
    whiteout = whiteout == null ? WhiteoutChoice.AUTO : whiteout;
    lowerMode = lowerMode == null ? LowerMode.CHANGING : lowerMode;
    cacheTtl = cacheTtl == null ? DEFAULT_CACHE_TTL : cacheTtl;
    if (cacheTtl.isNegative() || cacheTtl.compareTo(MAX_CACHE_TTL) > 0) {
      throw new IllegalArgumentException("cache TTL " + cacheTtl + " is not within 0 to "
          + MAX_CACHE_TTL);
    }
    fuseOptions = fuseOptions == null ? List.of() : List.copyOf(fuseOptions);
    tuning = tuning == null ? Tuning.defaults() : tuning;
  }

  /** A configuration with defaults for everything but the branches and the mount point. */
  public static MountConfig of(Path upper, List<Path> lowers, Path mountPoint, Tuning tuning) {
    return new MountConfig(upper, lowers, mountPoint, null, WhiteoutChoice.AUTO,
        LowerMode.CHANGING, DEFAULT_CACHE_TTL, List.of(), false, tuning);
  }

  /** This configuration with other branches and mount point (the same choices otherwise). */
  public MountConfig withPaths(Path upper, List<Path> lowers, Path mountPoint, Path workDir) {
    return new MountConfig(upper, lowers, mountPoint, workDir, whiteout, lowerMode, cacheTtl,
        fuseOptions, fuseDebug, tuning);
  }

  /** What the kernel may cache, from the lower mode and the TTL: one policy for every front-end. */
  KernelCachePolicy kernelCachePolicy() {
    return KernelCachePolicy.of(lowerMode, cacheTtl);
  }
}
