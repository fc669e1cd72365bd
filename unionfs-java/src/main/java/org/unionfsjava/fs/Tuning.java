package org.unionfsjava.fs;

import java.util.HashSet;
import java.util.Properties;
import java.util.Set;

/**
 * The knobs that are not mount options: JVM system properties ({@code -Dunionfs.NAME=VALUE},
 * through {@code UNIONFS_JAVA_OPTS} for {@code bin/unionfs-java}), for measurements, A/B runs,
 * the libfuse2 fallback and the crash tests. This is the only place that reads them: the CLI reads
 * them once at start-up ({@link #fromSystemProperties}) and passes the values down in its {@link
 * MountConfig}; nothing below asks the JVM again. A value that cannot be read keeps the default.
 *
 * <table>
 *   <caption>The properties</caption>
 *   <tr><th>property</th><th>default</th><th>component</th></tr>
 *   <tr><td>{@code unionfs.fuse}</td><td>3</td><td>{@link #fuseLibrary}: {@code 2} selects
 *       libfuse2 through jnr-fuse; an architecture but x86_64 always gets it</td></tr>
 *   <tr><td>{@code unionfs.cacheBytes}</td><td>{@link #DEFAULT_CACHE_BYTES}</td>
 *       <td>{@link #cacheBytes}</td></tr>
 *   <tr><td>{@code unionfs.fuse3.posixAcl}, {@code .readdirplus}, {@code .cacheDir}, {@code
 *       .noOpendir}, {@code .splice}</td><td>true</td><td>switches of the libfuse 3 adapter, off
 *       with {@code false} ({@code UnionLowLevel})</td></tr>
 *   <tr><td>{@code unionfs.fuse3.threads}</td><td>(one loop)</td><td>{@link #workerPool}:
 *       {@code multi} runs libfuse's worker pool</td></tr>
 *   <tr><td>{@code unionfs.fuse3.readers}</td><td>4</td><td>{@link #readers}, threads answering
 *       READs beside the loop ({@code ReadDispatch})</td></tr>
 *   <tr><td>{@code unionfs.fuse3.maxThreads}</td><td>10</td><td>{@link #maxThreads} of the worker
 *       pool</td></tr>
 *   <tr><td>{@code unionfs.startupOverlap}</td><td>true</td><td>{@link #startupOverlap}: the CLI's
 *       early start of Log4j and the native bindings, off with {@code false}</td></tr>
 *   <tr><td>{@code unionfs.crash-at}</td><td>(none)</td><td>{@link #crashPoints}, names of {@code
 *       org.unionfsjava.model.CrashPoints}, comma-separated</td></tr>
 * </table>
 *
 * @param fuseLibrary the libfuse a mount runs on
 * @param cacheBytes the bound of the lookup cache ({@code ResolutionCache}) in estimated heap bytes
 * @param posixAcl libfuse 3: ask for FUSE_CAP_POSIX_ACL
 * @param readdirplus libfuse 3: ask for readdirplus
 * @param cacheDir libfuse 3, fixed lower mode: listings kept in the kernel (FOPEN_CACHE_DIR)
 * @param noOpendir libfuse 3, with {@code cacheDir}: OPENDIR answered ENOSYS
 * @param splice libfuse 3: reads spliced from the branch file where no branch is on NFS
 * @param workerPool libfuse 3: libfuse's worker pool serves requests, not one loop thread
 * @param readers libfuse 3, one loop: the reader threads (0: the loop reads)
 * @param maxThreads libfuse 3, worker pool: its largest size
 * @param startupOverlap the CLI binds native libraries while it parses the command line
 * @param crashPoints the crash points armed (tests only), none normally
 */
public record Tuning(
    FuseLibrary fuseLibrary,
    long cacheBytes,
    boolean posixAcl,
    boolean readdirplus,
    boolean cacheDir,
    boolean noOpendir,
    boolean splice,
    boolean workerPool,
    int readers,
    int maxThreads,
    boolean startupOverlap,
    Set<String> crashPoints) {

  /**
   * The default bound of the lookup cache ({@code ResolutionCache}), in estimated heap bytes: what
   * 100,000 names of short paths take. Measured (docs/memory.md): one cached name costs about 540
   * bytes of heap for short paths (names of 7 bytes, 13-byte union paths, 53-byte branch paths),
   * one byte more per character of its union path and of its branch paths; walks of 200,000 and
   * 1,000,000 files were no slower with 100,000 names than with 500,000 (which held 265 MiB).
   * Bounding bytes, not names, keeps deep trees and long branch paths inside the heap too. {@code
   * unionfs.cacheBytes} overrides it (a positive number; for measurements).
   */
  static final long DEFAULT_CACHE_BYTES = 100_000L * 541;

  /** The default number of reader threads beside the single-threaded loop ({@code unionfs.fuse3.readers}). */
  static final int DEFAULT_READERS = 4;

  /** The default size of libfuse's worker pool ({@code unionfs.fuse3.maxThreads}). */
  static final int DEFAULT_MAX_THREADS = 10;

  public Tuning {
    crashPoints = Set.copyOf(crashPoints);
  }

  /** Every knob at its default, libfuse 3 (tests, and a JVM given no properties on x86_64). */
  public static Tuning defaults() {
    return new Tuning(FuseLibrary.LIBFUSE3, DEFAULT_CACHE_BYTES, true, true, true, true, true,
        false, DEFAULT_READERS, DEFAULT_MAX_THREADS, true, Set.of());
  }

  /** The knobs as this JVM's system properties set them; read once, at start-up. */
  public static Tuning fromSystemProperties() {
    return from(System.getProperties(), System.getProperty("os.arch"));
  }

  /** The knobs as these properties set them, on a JVM of this {@code os.arch}. */
  static Tuning from(Properties p, String osArch) {
    // the libfuse 3 binding knows the struct layouts of x86_64 only (fuse3.Fuse3Abi)
    boolean libfuse2 = "2".equals(p.getProperty("unionfs.fuse", "3").trim()) || !"amd64".equals(osArch);
    long cacheBytes = number(p.getProperty("unionfs.cacheBytes"), DEFAULT_CACHE_BYTES);
    return new Tuning(
        libfuse2 ? FuseLibrary.LIBFUSE2 : FuseLibrary.LIBFUSE3,
        cacheBytes > 0 ? cacheBytes : DEFAULT_CACHE_BYTES,
        on(p.getProperty("unionfs.fuse3.posixAcl")),
        on(p.getProperty("unionfs.fuse3.readdirplus")),
        on(p.getProperty("unionfs.fuse3.cacheDir")),
        on(p.getProperty("unionfs.fuse3.noOpendir")),
        on(p.getProperty("unionfs.fuse3.splice")),
        "multi".equals(p.getProperty("unionfs.fuse3.threads")),
        integer(p.getProperty("unionfs.fuse3.readers"), DEFAULT_READERS),
        integer(p.getProperty("unionfs.fuse3.maxThreads"), DEFAULT_MAX_THREADS),
        on(p.getProperty("unionfs.startupOverlap")),
        names(p.getProperty("unionfs.crash-at", "")));
  }

  /** A switch that is on unless set to {@code false}. */
  private static boolean on(String value) {
    return !"false".equals(value);
  }

  /** A number, or the default if unset or not a number (as Long.getLong and Integer.getInteger). */
  private static long number(String value, long dflt) {
    if (value == null) {
      return dflt;
    }
    try {
      return Long.decode(value.trim());
    } catch (NumberFormatException e) {
      return dflt;
    }
  }

  private static int integer(String value, int dflt) {
    long n = number(value, dflt);
    return n == (int) n ? (int) n : dflt;
  }

  private static Set<String> names(String list) {
    Set<String> out = new HashSet<>();
    for (String n : list.split(",")) {
      if (!n.isBlank()) {
        out.add(n.trim());
      }
    }
    return out;
  }
}
