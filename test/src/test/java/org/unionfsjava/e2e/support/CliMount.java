package org.unionfsjava.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code unionfs-java mount --foreground ARGS... MOUNTPOINT} with free arguments (for what
 * {@link TestUnion} does not cover, e.g. {@code --whiteout-format auto}, or a mount that must be
 * refused). The test owns the process: {@link #close()} unmounts (lazily as a fallback) and
 * ends it by its PID; every wait is bounded.
 */
public final class CliMount implements AutoCloseable {
  private final Path mnt;
  private final Path log;
  private final Process process;

  private CliMount(Path mnt, Path log, Process process) {
    this.mnt = mnt;
    this.log = log;
    this.process = process;
  }

  /** Starts the mount; {@code args} are the mount options (without MOUNTPOINT). */
  public static CliMount start(Path mnt, Path log, List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(TestUnion.launcher().toString(), "mount", "--foreground"));
    cmd.addAll(args);
    cmd.add(mnt.toString());
    try {
      Process p = new ProcessBuilder(cmd)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      return new CliMount(mnt, log, p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** True once the union is mounted; false if the process ended first or the time ran out. */
  public boolean awaitMounted(Duration timeout) throws InterruptedException {
    return Mounts.awaitMounted(mnt, UnionSystem.JAVA_OVERLAY.fsType(), timeout, process.toHandle());
  }

  /** Waits (bounded) for the process to end; its exit code, or null if it is still running. */
  public Integer awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
  }

  /** What the process printed (stdout and stderr together). */
  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  public Path mnt() {
    return mnt;
  }

  /** The process id of the server (the launcher execs java, so this is the JVM's). */
  public long pid() {
    return process.pid();
  }

  /** SIGKILL to the server (a crash) and a bounded wait for it to be gone; the mount stays dead. */
  public void kill() throws InterruptedException {
    process.destroyForcibly(); // SIGKILL on Linux
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("server " + process.pid() + " still alive 30 s after SIGKILL");
    }
  }

  @Override
  public void close() {
    Mounts.unmountQuietly(mnt);
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
