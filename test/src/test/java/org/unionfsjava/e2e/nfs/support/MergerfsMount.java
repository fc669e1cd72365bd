package org.unionfsjava.e2e.nfs.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.unionfsjava.e2e.support.Mounts;

/**
 * A mergerfs FUSE mount of one directory, run in the foreground as a child of the test so it is
 * ended by its PID. With {@code xattr=nosys} every xattr call answers EOPNOTSUPP, as an NFS lower
 * does; getdents passes the d_type of the directory below through (DT_UNKNOWN stays DT_UNKNOWN);
 * its attribute and entry caches (1 s by default) stand in for an NFS client's {@code actimeo}.
 */
public final class MergerfsMount implements AutoCloseable {
  private final Path mountPoint;
  private Process process;

  private MergerfsMount(Path mountPoint) {
    this.mountPoint = mountPoint;
  }

  public static boolean available() {
    return Files.isExecutable(Path.of("/usr/bin/mergerfs")) && Files.exists(Path.of("/dev/fuse"));
  }

  /** Mounts {@code source} at {@code mountPoint} with these mergerfs options (comma-separated). */
  public static MergerfsMount mount(Path source, Path mountPoint, String options) {
    MergerfsMount m = new MergerfsMount(mountPoint);
    try {
      Files.createDirectories(mountPoint);
      Path log = Files.createTempFile(mountPoint.getParent(), "mergerfs", ".log");
      m.process = new ProcessBuilder(List.of("mergerfs", "-f", "-o", options, source.toString(), mountPoint.toString()))
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      if (!Mounts.awaitMounted(mountPoint, "fuse.mergerfs", Duration.ofSeconds(20), m.process.toHandle())) {
        String out = Files.readString(log);
        m.close();
        throw new AssertionError("mergerfs did not mount " + mountPoint + ": " + out);
      }
      return m;
    } catch (IOException e) {
      m.close();
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      m.close();
      throw new AssertionError(e);
    }
  }

  public Path dir() {
    return mountPoint;
  }

  @Override
  public void close() {
    Mounts.unmountQuietly(mountPoint);
    if (process != null) {
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
      process = null;
    }
  }
}
