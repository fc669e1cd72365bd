package org.unionfsjava.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.unionfsjava.fs.FuseLibrary;
import org.unionfsjava.fs.MountFailure;
import org.unionfsjava.fs.MountTable;
import org.unionfsjava.fs.NativeBindings;
import org.unionfsjava.fs.Tuning;
import org.unionfsjava.fs.nativeio.NativeFile;
import picocli.CommandLine;

/**
 * The training run of the AppCDS archive that {@code bin/unionfs-java} keeps next to the jar
 * (docs/startup.md): walks the start path of a mount, so that the archive holds the classes a
 * start loads. It parses a foreground mount of two scratch directories,
 * runs the real checks, and, in place of the mount, loads the native layers (libc bindings, one
 * FUSE binding, libfuse) and fails; it also builds the command a background mount
 * relaunches and reads the mount table; as root, it then mounts two scratch unions (default and
 * fixed lower mode) for real and uses them ({@link #serveOnce}). Nothing is printed; a failing
 * step is skipped.
 */
final class StartupTraining {

  private StartupTraining() {
  }

  /** Runs the training; the JVM writes the archive when this returns (-XX:ArchiveClassesAtExit). */
  public static void main(String[] args) throws IOException {
    Path scratch = Files.createTempDirectory("unionfs-java-cds");
    try {
      Path upper = Files.createDirectories(scratch.resolve("upper"));
      Path lower = Files.createDirectories(scratch.resolve("lower/dir"));
      Files.writeString(lower.resolve("file"), "x");
      Path union = Files.createDirectories(scratch.resolve("union"));
      Host real = Host.real(Tuning.fromSystemProperties());
      Host host = new Host(real.devFuse(), real.libraryDirs(), real.askLdconfig(),
          real.mountInfo(), scratch.resolve("log"), options -> {
            loadNativeLayers(options.tuning().fuseLibrary());
            throw new MountFailure(MountFailure.Reason.FAILED, "training run: not mounted",
                options.mountPoint().toString(), null, null);
          }, real.disconnected(), real.tuning());
      run(host, "mount", "--help");
      run(host, "mount", "--foreground", "--upper", upper.toString(), "--lower",
          scratch.resolve("lower").toString(), union.toString());
      run(host, "mount", "--upper", upper.toString(), "--lower", scratch.resolve("missing").toString(),
          union.toString());
      BackgroundLauncher.relaunchCommand(List.of("mount", "--foreground"));
      MountTable.read(real.mountInfo());
      if (real.devFuse().toFile().canWrite() && NativeFile.geteuid() == 0) {
        serveOnce(real, scratch.resolve("changing"));
        serveOnce(real, scratch.resolve("fixed"), "--lower-mode", "fixed");
      }
    } finally {
      try (Stream<Path> paths = Files.walk(scratch)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  /**
   * As root with /dev/fuse: mounts a scratch union in this JVM, uses it (list, read, stat, chmod,
   * utimes, xattrs, append, truncate, create, fsync, symlink, hard link, renames of a file and of a
   * lower directory, unlink, rm -r, mkdir over a removed directory) and unmounts it, as the initrd
   * runtime's training does (build-runtime), so that the archive also holds the classes a mount's
   * first requests load: on a fresh mount without them the first chmod took 26 ms, the next 2.4.
   * Every wait is bounded; whatever fails is skipped and the union unmounted.
   */
  private static void serveOnce(Host real, Path base, String... modeArgs) {
    Path upper = base.resolve("upper");
    Path lower = base.resolve("lower");
    Path union = base.resolve("union");
    Thread server = null;
    try {
      Files.createDirectories(upper);
      Files.createDirectories(union);
      Files.createDirectories(lower.resolve("dir/sub"));
      Files.createDirectories(lower.resolve("tree/deep"));
      Files.writeString(lower.resolve("dir/file"), "base");
      Files.writeString(lower.resolve("dir/data"), "data");
      Files.writeString(lower.resolve("dir/sub/old"), "gone");
      Files.writeString(lower.resolve("tree/deep/leaf"), "leaf");
      List<String> args = new ArrayList<>(List.of("mount", "--foreground", "--upper", upper.toString(),
          "--lower", lower.toString()));
      args.addAll(List.of(modeArgs));
      args.add(union.toString());
      server = new Thread(() -> run(real, args.toArray(new String[0])), "training-mount");
      server.setDaemon(true);
      server.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!mounted(real, union) && server.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      if (mounted(real, union)) {
        useOnce(union);
      }
    } catch (IOException | RuntimeException | InterruptedException skipped) {
      // the archive then holds fewer classes
    } finally {
      Unmounter unmounter = new Unmounter(real.mountInfo(), true);
      try {
        if (mounted(real, union)) {
          unmounter.unmount(union, false);
        }
        if (server != null) {
          server.join(TimeUnit.SECONDS.toMillis(20));
        }
        if (mounted(real, union)) {
          unmounter.unmount(union, true);
        }
      } catch (CommandFailure | InterruptedException ignored) {
        // nothing more to do
      }
    }
  }

  private static boolean mounted(Host real, Path mountPoint) {
    try {
      return MountTable.read(real.mountInfo()).mountAt(mountPoint).filter(MountTable.Entry::isUnion).isPresent();
    } catch (IOException e) {
      return false;
    }
  }

  /** The operations of {@link #serveOnce}, each one that fails skipped. */
  private static void useOnce(Path union) {
    Path dir = union.resolve("dir");
    Path file = dir.resolve("file");
    List<IoStep> steps = List.of(
        () -> {
          try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> p.toFile().length());
          }
        },
        () -> Files.readString(file),
        () -> Files.readAttributes(file, "unix:*", LinkOption.NOFOLLOW_LINKS),
        () -> Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------")),
        () -> Files.setLastModifiedTime(file, FileTime.fromMillis(0)),
        () -> {
          UserDefinedFileAttributeView x = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
          x.write("training", ByteBuffer.wrap(new byte[] {1}));
          x.list();
          x.read("training", ByteBuffer.allocate(8));
          x.delete("training");
        },
        () -> Files.writeString(dir.resolve("data"), "more", StandardOpenOption.APPEND),
        () -> {
          try (FileChannel ch = FileChannel.open(dir.resolve("data"), StandardOpenOption.WRITE)) {
            ch.truncate(2);
          }
        },
        () -> {
          try (FileChannel ch = FileChannel.open(dir.resolve("new"), StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {'n'}));
            ch.force(true);
          }
        },
        () -> Files.readSymbolicLink(Files.createSymbolicLink(dir.resolve("link"), Path.of("new"))),
        () -> Files.createLink(dir.resolve("hard"), dir.resolve("new")),
        () -> Files.move(dir.resolve("new"), dir.resolve("renamed")),
        () -> Files.move(union.resolve("tree"), union.resolve("moved-tree")),
        () -> Files.delete(dir.resolve("sub/old")),
        () -> Files.delete(dir.resolve("sub")),
        () -> Files.createDirectory(dir.resolve("sub")),
        () -> Files.getFileStore(file).getUsableSpace());
    for (IoStep step : steps) {
      try {
        step.run();
      } catch (IOException | RuntimeException skipped) {
        // the next step still loads its classes
      }
    }
  }

  private interface IoStep {
    void run() throws IOException;
  }

  private static void run(Host host, String... args) {
    PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
    CommandLine commandLine = UnionfsCommand.newCommandLine(host);
    commandLine.setOut(nowhere);
    commandLine.setErr(nowhere);
    commandLine.execute(args);
  }

  /** What a mount loads before libfuse's loop starts: the libc bindings and the FUSE binding. */
  private static void loadNativeLayers(FuseLibrary library) {
    try {
      NativeBindings.loadForMount(library);
    } catch (ClassNotFoundException | LinkageError | RuntimeException skipped) {
      // no libfuse here: the archive then holds fewer classes
    }
  }
}
