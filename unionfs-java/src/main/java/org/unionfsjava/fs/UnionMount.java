package org.unionfsjava.fs;

import com.github.benmanes.caffeine.cache.Ticker;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.fs.nativeio.NativeBranchIo;
import org.unionfsjava.fs.nativeio.NativeFile;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.BranchStack;
import org.unionfsjava.model.CopyUp;
import org.unionfsjava.model.DirectoryMerger;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.FormatDetector;
import org.unionfsjava.model.FormatMismatchException;
import org.unionfsjava.model.Lookup;
import org.unionfsjava.model.NameCharset;
import org.unionfsjava.model.Namespace;
import org.unionfsjava.model.UpperOnlyBranchIo;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.WhiteoutFormat;
import org.unionfsjava.model.WorkDir;

/**
 * A live union mount: {@link #mount} returns once the kernel serves the mount point; {@link
 * #close} unmounts it; {@link #awaitUnmounted} blocks while it is mounted (until someone runs
 * umount or the process is asked to stop).
 */
public final class UnionMount implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger();
  /** The default work directory's name at the upper's root; the union never shows it. */
  public static final String DEFAULT_WORKDIR_NAME = ".unionfs-java";
  private static final Duration MOUNT_WAIT = Duration.ofSeconds(30);

  private final MountConfig options;
  private final ru.serce.jnrfuse.Mountable fuse;
  private final Thread loop;
  /** Held while this process serves the upper; released once the loop has ended. */
  private final UpperLock lock;
  private volatile Throwable loopFailure;

  private UnionMount(MountConfig options, ru.serce.jnrfuse.Mountable fuse, UpperLock lock) {
    this.options = options;
    this.fuse = fuse;
    this.lock = lock;
    this.loop = new Thread(this::serve, "fuse-loop");
  }

  /**
   * Takes the upper's lock ({@link UpperLock}), checks the branches, prepares the upper (work
   * directory, format), and mounts. The lock comes first: a union refused because another one
   * uses the upper has not touched its work directory.
   *
   * @throws MountFailure with the reason: {@link MountFailure.Reason#UPPER_IN_USE} if another
   *     union, tool or kernel overlay uses the upper or the work directory, {@link
   *     MountFailure.Reason#FORMAT_MISMATCH} if the upper is in another whiteout format than the
   *     one asked for, {@link MountFailure.Reason#FUSE_REFUSED} if FUSE refused the mount, {@link
   *     MountFailure.Reason#FAILED} for anything else (a missing branch: ENOENT/ENOTDIR)
   */
  public static UnionMount mount(MountConfig options) throws MountFailure {
    UpperLock lock;
    try {
      lock = UpperLock.acquire(options.upper(), options.workDir(), options.mountPoint());
    } catch (UpperInUseException e) {
      throw new MountFailure(MountFailure.Reason.UPPER_IN_USE, e.reason(), e.path(), null, e);
    } catch (UnionException e) {
      throw new MountFailure(MountFailure.Reason.FAILED, e.reason(), e.path(), e.errno(), e);
    }
    try {
      options = withSnapshotLayers(options);
      UnionMount m = new UnionMount(options, build(options), lock);
      m.start();
      return m;
    } catch (FormatMismatchException e) {
      lock.close();
      throw new MountFailure(MountFailure.Reason.FORMAT_MISMATCH, e.getMessage(), e.upper(),
          Errno.EINVAL, e);
    } catch (UnionException e) {
      lock.close();
      throw new MountFailure(MountFailure.Reason.FAILED, e.reason(), e.path(), e.errno(), e);
    } catch (IOException e) {
      lock.close();
      throw new MountFailure(MountFailure.Reason.FAILED, e.getMessage(),
          options.mountPoint().toString(), Errno.EIO, e);
    } catch (MountFailure e) {
      lock.close();
      throw e;
    } catch (RuntimeException | Error e) {
      lock.close();
      throw e;
    }
  }

  /**
   * The options with the upper's snapshot layers ({@link SnapshotLayers}) above the given lowers:
   * read under the lock, so no snapshot tool changes the record meanwhile.
   */
  static MountConfig withSnapshotLayers(MountConfig o) throws UnionException {
    List<Path> stacked = SnapshotLayers.stack(o.upper(), o.workDir(), o.lowers());
    if (stacked == o.lowers()) {
      return o;
    }
    LOG.info("the upper's snapshot layers stand above the lowers: {}", stacked.subList(0, stacked.size() - o.lowers().size()));
    return o.withPaths(o.upper(), stacked, o.mountPoint(), o.workDir());
  }

  private static ru.serce.jnrfuse.Mountable build(MountConfig o) throws IOException {
    NativeFile.setUmask(0); // modes given by callers are applied exactly
    // from here on paths are name strings (NameCharset): only the native BranchIo touches them
    Path upper = NameCharset.fromPlatform(o.upper().toAbsolutePath().normalize());
    List<Path> lowers = new ArrayList<>();
    for (Path l : o.lowers()) {
      lowers.add(NameCharset.fromPlatform(l.toAbsolutePath().normalize()));
    }
    BranchStack stack = BranchStack.of(upper, lowers);
    Path workPath = o.workDir() == null ? upper.resolve(DEFAULT_WORKDIR_NAME)
        : NameCharset.fromPlatform(o.workDir().toAbsolutePath().normalize());
    BranchIo branches = o.lowerMode() == LowerMode.FIXED
        ? new FixedLowerListings(new NativeBranchIo(), lowers) : new NativeBranchIo();
    BranchIo io = new UpperOnlyBranchIo(branches, upper, workPath);
    String hiddenName = workPath.getParent().equals(upper) ? workPath.getFileName().toString() : null;
    WorkDir work = new WorkDir(io, workPath);
    work.prepare();
    WhiteoutFormat format = new FormatDetector(io).choose(o.whiteout(), upper, work, hiddenName);
    LOG.info("union of upper {} and lowers {} in the {} format, work directory {}", upper, lowers, format, workPath);
    Lookup lookup = new Lookup(stack, io, format, hiddenName);
    ResolutionCache cache = new ResolutionCache(lookup, o.lowerMode(), o.cacheTtl(),
        o.tuning().cacheBytes(), Ticker.systemTicker());
    if (branches instanceof FixedLowerListings listed) {
      listed.onChangeBelow(cache::invalidateAll); // a change below: lookups read the branches again
    }
    DirectoryMerger merger = new DirectoryMerger(io, lookup);
    CopyUp copyUp = new CopyUp(io, format, work, cache, true);
    Namespace namespace = new Namespace(io, work, lookup, copyUp, merger);
    UnionOps ops = new UnionOps(stack, io, format, cache, namespace, copyUp, merger, new OpenFileTable(), work);
    return o.tuning().fuseLibrary() == FuseLibrary.LIBFUSE3 ? new UnionLowLevel(ops, o) : new UnionFuse(ops);
  }

  /** The FUSE options this mount passes, in the order given to libfuse. */
  static List<String> fuseArguments(MountConfig o, boolean root) {
    List<String> opts = new ArrayList<>();
    opts.add(MountSource.fsnameOption(o.upper(), o.lowers()));
    opts.add("subtype=unionfs-java");
    opts.add("default_permissions");
    if (root) {
      // a union root needs device nodes and setuid programs to work, as on kernel overlayfs
      opts.add("allow_other");
      opts.add("dev");
      opts.add("suid");
    }
    opts.add("use_ino");
    opts.add("big_writes");
    opts.add("max_write=131072");
    opts.add("max_read=131072");
    opts.addAll(o.kernelCachePolicy().libfuse2Options());
    List<String> args = new ArrayList<>();
    args.add("-o");
    args.add(String.join(",", opts));
    for (String extra : o.fuseOptions()) {
      args.add("-o");
      args.add(extra);
    }
    // One request at a time. libfuse2's multi-threaded loop can deadlock in its own path-lock
    // queue when renames race with other changes in the same directories (libfuse issue #695,
    // "partial locking", removed only in libfuse 3.13 by PR #699): every worker waits and the mount hangs,
    // which for a root filesystem is the worst outcome. With -s no request ever waits for a lock.
    args.add("-s");
    return args;
  }

  private void start() throws MountFailure {
    loop.setDaemon(false);
    loop.start();
    long deadline = System.nanoTime() + MOUNT_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (MountTable.isUnionMounted(options.mountPoint())) {
        LOG.info("mounted at {}", options.mountPoint());
        return;
      }
      if (!loop.isAlive()) {
        break;
      }
      try {
        loop.join(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    String why = loopFailure == null ? "FUSE did not mount it" : loopFailure.getMessage();
    throw new MountFailure(MountFailure.Reason.FUSE_REFUSED, "mount failed: " + why,
        options.mountPoint().toString(), Errno.EIO, loopFailure);
  }

  private void serve() {
    try {
      List<String> args = fuseArguments(options, NativeFile.geteuid() == 0);
      fuse.mount(NameCharset.fromPlatform(options.mountPoint().toAbsolutePath()), true, options.fuseDebug(), args.toArray(new String[0]));
    } catch (Throwable t) {
      loopFailure = t;
      LOG.error("the FUSE loop ended with an error", t);
    } finally {
      LOG.info("unmounted {}", options.mountPoint());
    }
  }

  /** Blocks until the union is unmounted. */
  public void awaitUnmounted() throws InterruptedException {
    loop.join();
  }

  /**
   * Unmounts (lazily if busy) and releases every open file, then the upper's lock once the loop
   * has ended (a loop still serving keeps it until the process exits).
   */
  @Override
  public void close() {
    if (MountTable.isUnionMounted(options.mountPoint())) {
      MountTable.unmount(options.mountPoint());
    }
    try {
      loop.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!loop.isAlive()) {
      lock.close();
    }
  }
}
