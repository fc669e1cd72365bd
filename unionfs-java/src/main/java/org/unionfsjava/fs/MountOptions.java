package org.unionfsjava.fs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a union mount is made from, as the user chose it.
 *
 * @param upper the writable branch
 * @param lowers the read-only branches, top first (at least one)
 * @param mountPoint where the union appears
 * @param workDir the work directory for copy-up temporaries, or null for the default
 *     ({@code UPPER/.unionfs-java}, hidden in the union); must be on the upper's filesystem
 * @param whiteoutFormat "auto", "overlay" or "aufs"
 * @param lowerMode whether the lowers may change while mounted ({@link LowerMode})
 * @param cacheTtl how long facts taken from a lower are trusted (also the kernel timeouts in
 *     {@link LowerMode#CHANGING} mode)
 * @param fuseOptions extra {@code -o} options passed to FUSE as given
 * @param fuseDebug libfuse's debug output ({@code -d})
 */
public record MountOptions(
    Path upper,
    List<Path> lowers,
    Path mountPoint,
    Path workDir,
    String whiteoutFormat,
    LowerMode lowerMode,
    Duration cacheTtl,
    List<String> fuseOptions,
    boolean fuseDebug) {

  /** The default TTL for facts taken from a lower. */
  public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(1);

  /**
   * The longest TTL: beyond a day "the lowers may change" no longer describes them, and fixed
   * lower mode is the honest choice. Nothing below breaks before it (the kernel clamps its
   * timeouts; the cache counts nanoseconds, which overflow after 292 years, and takes the
   * largest value to mean fixed mode), but a bound that a person can read keeps the command line,
   * the background server's re-encoding of it and the cache in agreement.
   */
  public static final Duration MAX_CACHE_TTL = Duration.ofHours(24);

  public MountOptions {
    Objects.requireNonNull(upper, "upper");
    Objects.requireNonNull(mountPoint, "mountPoint");
    lowers = List.copyOf(lowers);
    whiteoutFormat = whiteoutFormat == null ? "auto" : whiteoutFormat;
    lowerMode = lowerMode == null ? LowerMode.CHANGING : lowerMode;
    cacheTtl = cacheTtl == null ? DEFAULT_CACHE_TTL : cacheTtl;
    if (cacheTtl.isNegative() || cacheTtl.compareTo(MAX_CACHE_TTL) > 0) {
      throw new IllegalArgumentException("cache TTL " + cacheTtl + " is not within 0 to "
          + MAX_CACHE_TTL);
    }
    fuseOptions = fuseOptions == null ? List.of() : List.copyOf(fuseOptions);
  }

  /** Options with defaults for everything but the branches and the mount point. */
  public static MountOptions of(Path upper, List<Path> lowers, Path mountPoint) {
    return new MountOptions(upper, lowers, mountPoint, null, "auto", LowerMode.CHANGING,
        DEFAULT_CACHE_TTL, List.of(), false);
  }
}
