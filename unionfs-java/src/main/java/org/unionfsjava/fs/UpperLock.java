package org.unionfsjava.fs;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.fs.nativeio.NativeFile;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.NameCharset;
import org.unionfsjava.model.UnionException;

/**
 * Exclusive use of an upper and its work directory: one union, or one offline tool, at a time.
 * Two unions on one upper would each write it behind the other's caches, and each empties the
 * work directory's temporaries at mount, under the other's copy-ups.
 *
 * <p>The lock is flock(2) {@code LOCK_EX} on a descriptor of the upper directory and one of the
 * work directory, opened {@code O_CLOEXEC} and held by the process for as long as it uses them
 * (a union: until it is unmounted). The kernel drops a flock when the last descriptor of its
 * open file description closes, so a server killed with SIGKILL leaves no stale lock, and the
 * union's own opening and closing of the upper never drops it (a POSIX record lock, which NIO's
 * FileLock is, would go with the first close of any descriptor of the directory in the process,
 * and cannot be taken on a directory at all). {@code O_CLOEXEC} keeps it out of children such as
 * fusermount3, which with {@code auto_unmount} outlives nothing but would hold the lock a moment
 * after the server died.
 *
 * <p>Who holds it is written to {@code WORK/holder} once it is taken (pid, mount point or tool,
 * time), so that a refusal can name the holder. A directory used as upperdir or workdir by a
 * kernel overlayfs mount (found in /proc/self/mountinfo) is refused too; the kernel cannot see
 * this lock, so an overlay mounted later on a locked upper is not stopped here.
 *
 * <p>Where the filesystem has no flock (some network filesystems answer ENOLCK or EBADF on a
 * directory), the union mounts anyway with a warning in the log: a second mount of that upper
 * is then not refused.
 */
public final class UpperLock implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger();
  /** The file in the work directory that names the holder of the lock. */
  public static final String HOLDER_FILE = "holder";

  private final List<Integer> descriptors;
  private final Path holderFile;

  private UpperLock(List<Integer> descriptors, Path holderFile) {
    this.descriptors = descriptors;
    this.holderFile = holderFile;
  }

  /**
   * Takes the lock for a union mounted at {@code mountPoint}; creates the work directory (0700)
   * if it is missing. Paths are platform paths, as the command line gives them.
   *
   * @param workDir the work directory, or null for the default {@code UPPER/.unionfs-java}
   * @throws UpperInUseException if another union, tool or kernel overlay uses the upper or the
   *     work directory; nothing is created then
   * @throws UnionException if a directory cannot be opened or created
   */
  public static UpperLock acquire(Path upper, Path workDir, Path mountPoint)
      throws UpperInUseException, UnionException {
    return take(upper, workDir, mountPoint);
  }

  /**
   * Takes the lock for this process without a mount point (an offline tool working on the
   * upper), as {@link #acquire(Path, Path, Path)}.
   */
  public static UpperLock acquire(Path upper, Path workDir)
      throws UpperInUseException, UnionException {
    return take(upper, workDir, null);
  }

  /**
   * Takes the lock for an offline tool that reads or rewrites an upper which may never have been
   * mounted: as {@link #acquire(Path, Path)}, but a missing work directory is not created (the
   * upper's lock alone then keeps a mount out, which would lock the upper first).
   */
  public static UpperLock acquireForTool(Path upper, Path workDir)
      throws UpperInUseException, UnionException {
    Path work = workDirOf(upper, workDir);
    if (Files.isDirectory(work)) {
      return take(upper, workDir, null);
    }
    requireNoOverlay(upper, "upper");
    List<Integer> fds = new ArrayList<>();
    try {
      lock(upper, "upper", work, fds);
      return new UpperLock(fds, work.resolve(HOLDER_FILE));
    } catch (UpperInUseException | UnionException | RuntimeException e) {
      closeAll(fds);
      throw e;
    }
  }

  /**
   * Checks that the upper and the work directory are free, changing nothing (the lock is taken
   * and let go at once; a missing work directory is not created): for a command's checks before
   * it starts a server that then takes the lock for good.
   *
   * @throws UpperInUseException as {@link #acquire(Path, Path, Path)}
   */
  public static void requireFree(Path upper, Path workDir)
      throws UpperInUseException, UnionException {
    Path work = workDirOf(upper, workDir);
    requireNoOverlay(upper, "upper");
    requireNoOverlay(work, "work directory");
    List<Integer> fds = new ArrayList<>();
    try {
      lock(upper, "upper", work, fds);
      if (Files.isDirectory(work)) {
        lock(work, "work directory", work, fds);
      }
    } finally {
      closeAll(fds);
    }
  }

  /** The work directory a mount of {@code upper} uses: {@code workDir}, or the default. */
  public static Path workDirOf(Path upper, Path workDir) {
    return workDir != null ? workDir : upper.resolve(UnionMount.DEFAULT_WORKDIR_NAME);
  }

  private static UpperLock take(Path upper, Path workDir, Path mountPoint)
      throws UpperInUseException, UnionException {
    Path work = workDirOf(upper, workDir);
    requireNoOverlay(upper, "upper");
    requireNoOverlay(work, "work directory");
    List<Integer> fds = new ArrayList<>();
    try {
      lock(upper, "upper", work, fds);
      createIfMissing(work);
      lock(work, "work directory", work, fds);
      Path holder = work.resolve(HOLDER_FILE);
      writeHolder(holder, upper, mountPoint);
      return new UpperLock(fds, holder);
    } catch (UpperInUseException | UnionException | RuntimeException e) {
      closeAll(fds);
      throw e;
    }
  }

  /** Locks {@code dir}; adds the descriptor to {@code fds} (also if the lock is refused). */
  private static void lock(Path dir, String role, Path work, List<Integer> fds)
      throws UpperInUseException, UnionException {
    int fd = NativeFile.open(NameCharset.fromPlatform(dir),
        NativeFile.O_RDONLY | NativeFile.O_DIRECTORY | NativeFile.O_CLOEXEC, 0);
    fds.add(fd);
    boolean locked;
    try {
      locked = NativeFile.tryLockExclusive(fd);
    } catch (UnionException e) {
      LOG.warn("cannot lock the {} {} ({}): a second union on it would not be refused", role, dir,
          e.errno());
      return;
    }
    if (!locked) {
      throw new UpperInUseException(dir.toString(), role + " is in use by "
          + describeHolder(work.resolve(HOLDER_FILE)));
    }
  }

  private static void requireNoOverlay(Path dir, String role) throws UpperInUseException {
    Optional<OverlayMounts.Use> use = OverlayMounts.using(dir);
    if (use.isPresent()) {
      throw new UpperInUseException(dir.toString(), role + " is the " + use.get().role()
          + " of the kernel overlay mounted at " + use.get().mountPoint()
          + " (unmount that first: umount " + use.get().mountPoint() + ")");
    }
  }

  private static void createIfMissing(Path work) throws UnionException {
    try {
      Files.createDirectory(work, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException exists) {
      if (!Files.isDirectory(work)) {
        throw new UnionException(Errno.ENOTDIR, work.toString(),
            "the work directory is not a directory");
      }
    } catch (NoSuchFileException e) {
      throw new UnionException(Errno.ENOENT, work.toString(),
          "the work directory's parent does not exist");
    } catch (IOException e) {
      throw new UnionException(Errno.EIO, work.toString(),
          "cannot create the work directory (" + e.getMessage() + ")", e);
    }
  }

  /** Writes the holder file whole (a temporary renamed over it), so a reader never sees half. */
  private static void writeHolder(Path holder, Path upper, Path mountPoint) throws UnionException {
    Properties p = new Properties();
    p.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
    p.setProperty("upper", upper.toString());
    if (mountPoint != null) {
      p.setProperty("mount-point", mountPoint.toString());
    } else {
      p.setProperty("command", System.getProperty("sun.java.command", "unionfs-java"));
    }
    p.setProperty("since", Instant.now().toString());
    Path temp = holder.resolveSibling(HOLDER_FILE + "." + ProcessHandle.current().pid());
    try {
      try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
        p.store(w, "who holds the lock on this upper (unionfs-java UpperLock)");
      }
      Files.move(temp, holder, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UnionException(Errno.EIO, holder.toString(),
          "cannot write the lock's holder file (" + e.getMessage() + ")", e);
    }
  }

  /** The holder as one phrase with what to do, from its file; a vague one if it is unreadable. */
  static String describeHolder(Path holder) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(holder, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      return "another unionfs-java process (it has not named itself in " + holder + ")";
    }
    String pid = p.getProperty("pid", "?");
    String mountPoint = p.getProperty("mount-point");
    if (mountPoint != null) {
      return "the union mounted at " + mountPoint + " (pid " + pid
          + "; unmount it first: unionfs-java umount " + mountPoint + ")";
    }
    return "unionfs-java pid " + pid + " (" + p.getProperty("command", "an offline tool")
        + "; wait until it ends)";
  }

  /** Lets go of the lock; the holder file stays (it names the last holder, harmlessly). */
  @Override
  public void close() {
    closeAll(descriptors);
    LOG.debug("released the lock named in {}", holderFile);
  }

  private static void closeAll(List<Integer> fds) {
    for (int fd : fds) {
      try {
        NativeFile.close(fd);
      } catch (UnionException e) {
        LOG.debug("closing a lock descriptor: {}", e.getMessage());
      }
    }
    fds.clear();
  }
}
