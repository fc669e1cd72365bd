package org.unionfsjava.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.unionfsjava.fs.Tuning;
import org.unionfsjava.fs.UnionMount;
import org.unionfsjava.fs.nativeio.NativeFile;

/**
 * The parts of the machine the CLI looks at and the mount call it makes; tests replace them with
 * files in a temporary directory and a fake mount.
 *
 * @param devFuse the FUSE device
 * @param libraryDirs where the FUSE library (libfuse3.so.3, or libfuse.so.2 as the fallback) is looked for
 * @param askLdconfig whether to also ask {@code ldconfig -p} for it
 * @param mountInfo the mount table of this process ({@code /proc/self/mountinfo})
 * @param logDirectory where background mounts log by default ({@link LogDirectory})
 * @param starter what mounts the union
 * @param disconnected whether a path answers ENOTCONN (a FUSE mount whose server has ended)
 * @param tuning the JVM's tuning properties, read once at start-up ({@link Tuning})
 */
record Host(
    Path devFuse,
    List<Path> libraryDirs,
    boolean askLdconfig,
    Path mountInfo,
    Path logDirectory,
    MountStarter starter,
    Predicate<Path> disconnected,
    Tuning tuning) {

  Host {
    libraryDirs = List.copyOf(libraryDirs);
  }

  /** The real machine, tuned as given. */
  static Host real(Tuning tuning) {
    return new Host(
        Path.of("/dev/fuse"),
        List.of(
            Path.of("/lib/x86_64-linux-gnu"),
            Path.of("/usr/lib/x86_64-linux-gnu"),
            Path.of("/lib64"),
            Path.of("/usr/lib64"),
            Path.of("/usr/lib"),
            Path.of("/lib")),
        true,
        Path.of("/proc/self/mountinfo"),
        LogDirectory.forThisProcess(),
        UnionMount::mount,
        NativeFile::isDisconnected,
        tuning);
  }
}
