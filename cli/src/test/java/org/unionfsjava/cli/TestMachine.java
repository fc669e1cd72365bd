package org.unionfsjava.cli;

import org.unionfsjava.fs.MountFailure;
import org.unionfsjava.fs.Tuning;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.unionfsjava.fs.MountConfig;
import org.unionfsjava.model.Errno;
import picocli.CommandLine;

/**
 * A pretend machine in a temporary directory: an upper, two lowers and a mount point, a fake
 * {@code /dev/fuse}, a library directory with libfuse3.so.3 and libfuse.so.2, a mount table file, and a mount call
 * that records its options and then fails the way the test asks.
 *
 * <pre>
 * root/
 *   upper/  lower/  lower2/  mnt/
 *   dev-fuse                   (stands for /dev/fuse)
 *   lib/libfuse3.so.3, lib/libfuse.so.2
 *   mountinfo                  (two ordinary mounts)
 *   log/                       (not created: background logs would go here)
 * </pre>
 */
final class TestMachine {

  /** What one run of the command printed and returned. */
  record Result(int exitCode, String out, String err) {}

  final Path root;
  final Path upper;
  final Path lower;
  final Path lower2;
  final Path mountPoint;
  final Path devFuse;
  final Path libDir;
  final Path mountInfo;
  final Path logDir;
  final List<MountConfig> mountCalls = new ArrayList<>();
  /** The host's tuning properties (the defaults unless a test sets others). */
  Tuning tuning = Tuning.defaults();
  /** Paths that answer ENOTCONN, as those on a FUSE mount whose server has ended. */
  final java.util.Set<Path> disconnected = new java.util.HashSet<>();
  private Throwable mountFailure = new MountFailure(MountFailure.Reason.FAILED, "test stops here",
      "", Errno.EIO, null);

  TestMachine(Path root) throws IOException {
    this.root = root.toRealPath();
    upper = Files.createDirectory(this.root.resolve("upper"));
    lower = Files.createDirectory(this.root.resolve("lower"));
    lower2 = Files.createDirectory(this.root.resolve("lower2"));
    mountPoint = Files.createDirectory(this.root.resolve("mnt"));
    devFuse = Files.createFile(this.root.resolve("dev-fuse"));
    libDir = Files.createDirectory(this.root.resolve("lib"));
    Files.createFile(libDir.resolve("libfuse3.so.3"));
    Files.createFile(libDir.resolve("libfuse.so.2"));
    mountInfo = this.root.resolve("mountinfo");
    Files.writeString(mountInfo,
        "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
            + "23 22 0:5 / /proc rw,nosuid - proc proc rw\n");
    logDir = this.root.resolve("log");
  }

  /** Makes the fake mount call fail with this exception after recording its options. */
  void failMountWith(Throwable failure) {
    this.mountFailure = failure;
  }

  /** Adds a line to the fake mount table. */
  void addMount(Path mountPoint, String fsType) throws IOException {
    Files.writeString(mountInfo, "99 22 0:99 / " + mountPoint.toString().replace(" ", "\\040")
        + " rw,relatime - " + fsType + " test rw\n", java.nio.file.StandardOpenOption.APPEND);
  }

  /** The host as the CLI sees it. */
  Host host() {
    return new Host(devFuse, List.of(libDir), false, mountInfo, logDir, options -> {
      mountCalls.add(options);
      if (mountFailure instanceof MountFailure) {
        throw (MountFailure) mountFailure;
      }
      if (mountFailure instanceof Error) {
        throw (Error) mountFailure;
      }
      throw (RuntimeException) mountFailure;
    }, disconnected::contains, tuning);
  }

  /** Runs {@code unionfs-java ARGS} against this machine. */
  Result run(String... args) {
    return run(host(), args);
  }

  /** Runs {@code unionfs-java ARGS} against a host. */
  static Result run(Host host, String... args) {
    CommandLine commandLine = UnionfsCommand.newCommandLine(host);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new Result(exitCode, out.toString(), err.toString());
  }

  /** The usual arguments of a foreground mount of upper over lower at the mount point. */
  List<String> mountArgs() {
    return new ArrayList<>(List.of("mount", "--foreground", "--upper", upper.toString(),
        "--lower", lower.toString(), mountPoint.toString()));
  }

  /** The names in a directory (empty if it does not exist). */
  static List<String> listing(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
