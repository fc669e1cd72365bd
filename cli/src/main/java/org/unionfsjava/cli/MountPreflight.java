package org.unionfsjava.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.unionfsjava.fs.MountTable;
import org.unionfsjava.fs.FuseLibrary;
import org.unionfsjava.fs.MountConfig;
import org.unionfsjava.fs.UpperInUseException;
import org.unionfsjava.fs.UpperLock;
import org.unionfsjava.model.UnionException;

/**
 * Checks a mount request against the file system and the machine before anything is created, so
 * every mistake a person can make is answered with one line and a documented exit code instead of
 * a half-prepared upper or a FUSE stack trace.
 */
final class MountPreflight {

  private final Host host;
  private final PrintWriter err;

  /**
   * @param err where a notice goes when the preflight repairs something (a dead union detached)
   */
  MountPreflight(Host host, PrintWriter err) {
    this.host = host;
    this.err = err;
  }

  /**
   * Checks the request and returns it with the branches and the mount point as real paths. A
   * dead union at the mount point (its server ended, the kernel answers ENOTCONN) is detached,
   * with a notice on {@code err}, once every other check has passed.
   *
   * @throws CommandFailure with {@link ExitStatus#BAD_PATH} or {@link ExitStatus#ENVIRONMENT}
   */
  MountConfig check(MountConfig given) throws CommandFailure {
    Path upper = realDirectory("upper", given.upper());
    List<Path> lowers = new ArrayList<>();
    for (Path lower : given.lowers()) {
      lowers.add(realDirectory("lower", lower));
    }
    Path deadUnion = deadUnionAt(given.mountPoint());
    Path mountPoint = deadUnion != null ? deadUnion
        : realDirectory("mount point", given.mountPoint());

    for (Path lower : lowers) {
      requireApart(upper, "upper", lower, "lower");
    }
    requireApart(mountPoint, "mount point", upper, "upper");
    for (Path lower : lowers) {
      requireApart(mountPoint, "mount point", lower, "lower");
    }
    Path workDir = given.workDir() == null ? null : checkWorkDir(given.workDir(), upper, lowers,
        mountPoint);
    if (deadUnion == null) {
      requireNotMounted(mountPoint);
    }
    requireUpperFree(upper, workDir);

    requireFuseDevice();
    requireLibfuse(given.tuning().fuseLibrary());

    if (deadUnion != null) {
      detachDeadUnion(deadUnion);
      mountPoint = realDirectory("mount point", deadUnion);
      requireNotMounted(mountPoint);
    }
    return given.withPaths(upper, lowers, mountPoint, workDir);
  }

  private Path realDirectory(String role, Path path) throws CommandFailure {
    Path absolute = path.toAbsolutePath().normalize();
    if (host.disconnected().test(absolute)) {
      throw new CommandFailure(ExitStatus.BAD_PATH, role + " " + deadMountPhrase(absolute),
          absolute);
    }
    if (!Files.exists(absolute)) {
      Optional<MountTable.Entry> mount = readMountTable().mountAt(Unmounter.mountTablePath(absolute));
      if (mount.isPresent()) {
        // a FUSE mount of another user without allow_other answers even root EACCES, dead or not
        throw new CommandFailure(ExitStatus.BAD_PATH, role + " is a " + mount.get().fsType()
            + " mount that this user cannot enter (another user's, without allow_other; if its"
            + " server has ended, detach it with: umount -l " + mount.get().mountPoint() + ")",
            absolute);
      }
      throw new CommandFailure(ExitStatus.BAD_PATH, role + " does not exist", absolute);
    }
    if (!Files.isDirectory(absolute)) {
      throw new CommandFailure(ExitStatus.BAD_PATH, role + " is not a directory", absolute);
    }
    try {
      return absolute.toRealPath();
    } catch (IOException e) {
      throw new CommandFailure(ExitStatus.BAD_PATH,
          role + " cannot be resolved (" + e.getMessage() + ")", absolute);
    }
  }

  /**
   * The mount point as the mount table names it if a dead union of ours is mounted there (the
   * kernel answers ENOTCONN and the table shows {@code fuse.unionfs-java} at that path), else
   * null: then {@link #realDirectory} checks it, and refuses a dead mount of another kind.
   */
  private Path deadUnionAt(Path given) throws CommandFailure {
    Path absolute = given.toAbsolutePath().normalize();
    if (!host.disconnected().test(absolute)) {
      return null;
    }
    Path named = Unmounter.mountTablePath(absolute);
    Optional<MountTable.Entry> entry = readMountTable().mountAt(named);
    return entry.isPresent() && entry.get().isUnion() ? named : null;
  }

  /**
   * What is wrong with a path that answers ENOTCONN: "is a dead ... mount" or "is inside the
   * dead ... mount at ...", and how to detach it.
   */
  private String deadMountPhrase(Path absolute) throws CommandFailure {
    Path named = Unmounter.mountTablePath(absolute);
    MountTable table = readMountTable();
    Optional<MountTable.Entry> exact = table.mountAt(named);
    MountTable.Entry dead = exact.orElse(null);
    String where = "is a dead ";
    if (dead == null) {
      for (MountTable.Entry e : table.entries()) {
        if (named.startsWith(e.mountPoint()) && (dead == null
            || e.mountPoint().getNameCount() >= dead.mountPoint().getNameCount())) {
          dead = e;
        }
      }
      where = "is inside the dead ";
    }
    if (dead == null) {
      return "cannot be reached (transport endpoint is not connected: a FUSE server has ended)";
    }
    String at = dead.mountPoint().toString();
    return where + dead.fsType() + " mount" + (exact.isPresent() ? "" : " at " + at)
        + " (its server has ended; detach it with: umount -l " + at + ", or as its owner"
        + " fusermount3 -u -z " + at + ")";
  }

  private void detachDeadUnion(Path mountPoint) throws CommandFailure {
    try {
      new Unmounter(host.mountInfo(), Unmounter.runningAsRoot()).unmount(mountPoint, true);
    } catch (CommandFailure e) {
      throw new CommandFailure(ExitStatus.MOUNT_FAILED, "a dead union is mounted there and"
          + " detaching it failed (" + e.getMessage() + ")", mountPoint);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandFailure(ExitStatus.MOUNT_FAILED, "interrupted detaching the dead union",
          mountPoint);
    }
    err.println("unionfs-java: detached the dead union at " + mountPoint
        + " (its server had ended); mounting again");
    err.flush();
  }

  private MountTable readMountTable() throws CommandFailure {
    try {
      return MountTable.read(host.mountInfo());
    } catch (IOException e) {
      throw new CommandFailure(ExitStatus.ENVIRONMENT,
          "cannot read the mount table (" + e.getMessage() + ")", host.mountInfo());
    }
  }

  /** Fails if one of two real paths is the other or lies inside it. */
  private static void requireApart(Path a, String roleA, Path b, String roleB)
      throws CommandFailure {
    if (a.equals(b)) {
      throw new CommandFailure(ExitStatus.BAD_PATH,
          roleA + " and " + roleB + " are the same directory", a);
    }
    if (a.startsWith(b)) {
      throw new CommandFailure(ExitStatus.BAD_PATH, roleA + " is inside the " + roleB + " " + b, a);
    }
    if (b.startsWith(a)) {
      throw new CommandFailure(ExitStatus.BAD_PATH, roleB + " is inside the " + roleA + " " + a, b);
    }
  }

  /** The work directory may not exist yet; its nearest existing ancestor must be on the upper's. */
  private static Path checkWorkDir(Path given, Path upper, List<Path> lowers, Path mountPoint)
      throws CommandFailure {
    Path absolute = given.toAbsolutePath().normalize();
    if (Files.exists(absolute) && !Files.isDirectory(absolute)) {
      throw new CommandFailure(ExitStatus.BAD_PATH, "work directory is not a directory", absolute);
    }
    Path existing = absolute;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      throw new CommandFailure(ExitStatus.BAD_PATH, "work directory cannot be resolved", absolute);
    }
    Path real;
    try {
      real = existing.toRealPath().resolve(existing.relativize(absolute));
      if (!sameFileSystem(existing, upper)) {
        throw new CommandFailure(ExitStatus.BAD_PATH,
            "work directory is not on the upper's filesystem", absolute);
      }
    } catch (IOException e) {
      throw new CommandFailure(ExitStatus.BAD_PATH,
          "work directory cannot be resolved (" + e.getMessage() + ")", absolute);
    }
    for (Path lower : lowers) {
      if (real.startsWith(lower)) {
        throw new CommandFailure(ExitStatus.BAD_PATH,
            "work directory is inside the lower " + lower, real);
      }
    }
    if (real.startsWith(mountPoint) || mountPoint.startsWith(real)) {
      throw new CommandFailure(ExitStatus.BAD_PATH,
          "work directory and mount point overlap", real);
    }
    return real;
  }

  private static boolean sameFileSystem(Path a, Path b) throws IOException {
    return Files.getAttribute(a, "unix:dev", LinkOption.NOFOLLOW_LINKS)
        .equals(Files.getAttribute(b, "unix:dev", LinkOption.NOFOLLOW_LINKS));
  }

  private void requireNotMounted(Path mountPoint) throws CommandFailure {
    Optional<MountTable.Entry> mounted = readMountTable().mountAt(mountPoint);
    if (mounted.isPresent()) {
      String what = mounted.get().isUnion()
          ? "a unionfs-java union; unmount it first: unionfs-java umount " + mountPoint
          : mounted.get().fsType() + " " + mounted.get().source();
      throw new CommandFailure(ExitStatus.BAD_PATH,
          "mount point is already mounted (" + what + ")", mountPoint);
    }
  }

  /**
   * Fails if another union, an offline tool or a kernel overlay uses the upper or the work
   * directory ({@link UpperLock}), before a background server is started; changes nothing.
   */
  private static void requireUpperFree(Path upper, Path workDir) throws CommandFailure {
    try {
      UpperLock.requireFree(upper, workDir);
    } catch (UpperInUseException e) {
      throw new CommandFailure(ExitStatus.BAD_PATH, e.reason(), Path.of(e.path()));
    } catch (UnionException e) {
      throw new CommandFailure(ExitStatus.BAD_PATH, "upper cannot be locked ("
          + e.reason() + ", " + e.errno() + ")", upper);
    }
  }

  private void requireFuseDevice() throws CommandFailure {
    Path device = host.devFuse();
    if (!Files.exists(device)) {
      throw new CommandFailure(ExitStatus.ENVIRONMENT,
          "no FUSE device (load the fuse module: modprobe fuse)", device);
    }
    if (!Files.isReadable(device) || !Files.isWritable(device)) {
      throw new CommandFailure(ExitStatus.ENVIRONMENT, "not permitted to open the FUSE device ("
          + describeAccess(device) + "): a user who is not root needs read and write access to it"
          + " (Debian's default is crw-rw-rw-), or run as root", device);
    }
  }

  /** The device's mode, owner and group as ls shows them, e.g. {@code crw------- root:root}. */
  private static String describeAccess(Path device) {
    try {
      java.nio.file.attribute.PosixFileAttributes attributes = Files.readAttributes(device,
          java.nio.file.attribute.PosixFileAttributes.class);
      return "c" + java.nio.file.attribute.PosixFilePermissions.toString(attributes.permissions())
          + " " + attributes.owner().getName() + ":" + attributes.group().getName();
    } catch (IOException | UnsupportedOperationException e) {
      return "its mode cannot be read";
    }
  }

  private void requireLibfuse(FuseLibrary library) throws CommandFailure {
    for (Path dir : host.libraryDirs()) {
      if (Files.exists(dir.resolve(library.soname()))) {
        return;
      }
    }
    if (host.askLdconfig() && ldconfigKnows(library.soname())) {
      return;
    }
    throw new CommandFailure(ExitStatus.ENVIRONMENT, library.soname() + " is not installed (apt-get install "
        + library.debianPackage() + ")", Path.of(library.soname()));
  }

  private static boolean ldconfigKnows(String soname) {
    for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig")) {
      if (!Files.isExecutable(Path.of(ldconfig))) {
        continue;
      }
      try {
        Process process = new ProcessBuilder(ldconfig, "-p")
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
        String listing = new String(process.getInputStream().readAllBytes(),
            StandardCharsets.UTF_8);
        process.waitFor(10, TimeUnit.SECONDS);
        return listing.contains(soname);
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }
}
