package org.unionfsjava.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.unionfsjava.fs.FuseLibrary;
import org.unionfsjava.fs.fuse3.LibFuse3;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.UnionException;
import picocli.CommandLine;
import ru.serce.jnrfuse.FuseStubFS;

/**
 * The training run of the AppCDS archive that {@code bin/unionfs-java} keeps next to the jar
 * (README, "Start-up"): walks the start path of a mount, so that the archive holds the classes a
 * start loads, without mounting anything. It parses a foreground mount of two scratch directories,
 * runs the real checks, and, in place of the mount, loads the native layers (libc bindings, one
 * FUSE binding, libfuse) and fails; it also builds the command a background mount
 * relaunches and reads the mount table. Nothing is printed; a failing step is skipped.
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
      Host real = Host.real();
      Host host = new Host(real.devFuse(), real.libraryDirs(), real.askLdconfig(),
          real.mountInfo(), scratch.resolve("log"), options -> {
            loadNativeLayers();
            throw new UnionException(Errno.EIO, options.mountPoint().toString(),
                "training run: not mounted");
          });
      run(host, "mount", "--help");
      run(host, "mount", "--foreground", "--upper", upper.toString(), "--lower",
          scratch.resolve("lower").toString(), union.toString());
      run(host, "mount", "--upper", upper.toString(), "--lower", scratch.resolve("missing").toString(),
          union.toString());
      BackgroundLauncher.relaunchCommand(List.of("mount", "--foreground"));
      MountTable.read(real.mountInfo());
    } finally {
      try (Stream<Path> paths = Files.walk(scratch)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  private static void run(Host host, String... args) {
    PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
    CommandLine commandLine = UnionfsCommand.newCommandLine(host);
    commandLine.setOut(nowhere);
    commandLine.setErr(nowhere);
    commandLine.execute(args);
  }

  /** What a mount loads before libfuse's loop starts: the libc bindings and the FUSE binding. */
  private static void loadNativeLayers() {
    try {
      Class.forName("org.unionfsjava.fs.nativeio.NativeFile", true,
          StartupTraining.class.getClassLoader());
      if (FuseLibrary.selected() == FuseLibrary.LIBFUSE3) {
        LibFuse3.load();
        Class.forName("org.unionfsjava.fs.fuse3.LowLevelSession", true, StartupTraining.class.getClassLoader());
      } else {
        new FuseStubFS() { };
      }
    } catch (ClassNotFoundException | LinkageError | RuntimeException skipped) {
      // no libfuse here: the archive then holds fewer classes
    }
  }
}
