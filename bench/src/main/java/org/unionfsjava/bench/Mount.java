package org.unionfsjava.bench;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One live mount of a system. Start-up is timed from just before the exec to the moment the
 * mount point shows in /proc/self/mountinfo. {@link #close} always leaves nothing behind: it
 * unmounts, waits for the daemon, ends it by PID if it lingers, aborts a hung FUSE connection and
 * detaches lazily as a last resort.
 */
final class Mount implements AutoCloseable {
  private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration UMOUNT_TIMEOUT = Duration.ofSeconds(60);

  final UnionSystem system;
  final Path mnt;
  final Process daemon; // null for the kernel
  final double startupSeconds;
  private final Path log;
  private boolean closed;

  private Mount(UnionSystem system, Path mnt, Process daemon, double startupSeconds, Path log) {
    this.system = system;
    this.mnt = mnt;
    this.daemon = daemon;
    this.startupSeconds = startupSeconds;
    this.log = log;
  }

  static Mount start(UnionSystem system, List<String> cmd, Map<String, String> env, Path mnt,
      Path log, Path pidFile) throws IOException {
    Proc.append(log, "[bench] mount: " + String.join(" ", cmd));
    long t0 = System.nanoTime();
    Process daemon = null;
    if (system.fuse) {
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().put("LC_ALL", "C.UTF-8");
      pb.environment().putAll(env);
      pb.redirectInput(Redirect.from(new java.io.File("/dev/null")));
      pb.redirectErrorStream(true);
      pb.redirectOutput(Redirect.appendTo(log.toFile()));
      daemon = pb.start();
      Files.writeString(pidFile, daemon.pid() + " " + mnt + "\n", StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    } else {
      Proc.Result r = Proc.run(cmd, env, MOUNT_TIMEOUT, log);
      if (!r.ok()) {
        throw new IOException(system.id + ": mount failed (exit " + r.exit() + "), see " + log);
      }
    }
    long deadline = t0 + MOUNT_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (isMounted(mnt)) {
        double s = (System.nanoTime() - t0) / 1e9;
        return new Mount(system, mnt, daemon, s, log);
      }
      if (daemon != null && !daemon.isAlive()) {
        throw new IOException(system.id + ": daemon exited with " + daemon.exitValue()
            + " before mounting, see " + log);
      }
      LockSupport.parkNanos(500_000);
    }
    if (daemon != null) {
      Proc.killTree(daemon.toHandle(), Duration.ofSeconds(5));
    }
    lazyUnmount(mnt, log);
    throw new IOException(system.id + ": not mounted after " + MOUNT_TIMEOUT.toSeconds() + " s");
  }

  /** Whether the daemon (if any) is alive and the mount point is still mounted. */
  boolean healthy() {
    return (daemon == null || daemon.isAlive()) && isMounted(mnt);
  }

  /** The daemon's resident set size in KiB, or -1 (kernel, or gone). */
  long rssKiB() {
    if (daemon == null) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + daemon.pid() + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // gone
    }
    return -1;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (isMounted(mnt)) {
      Proc.Result r = Proc.run(List.of("umount", mnt.toString()), Map.of(), UMOUNT_TIMEOUT, log);
      if (!r.ok()) {
        Proc.append(log, "[bench] umount failed; detaching lazily");
      }
    }
    if (daemon != null) {
      try {
        if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
          Proc.append(log, "[bench] daemon " + daemon.pid() + " still running: ending it by PID");
          Proc.killTree(daemon.toHandle(), Duration.ofSeconds(10));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        Proc.killTree(daemon.toHandle(), Duration.ofSeconds(2));
      }
    }
    if (isMounted(mnt)) {
      abortFuse(mnt, log);
      lazyUnmount(mnt, log);
    }
  }

  static void lazyUnmount(Path mnt, Path log) {
    if (isMounted(mnt)) {
      Proc.run(List.of("umount", "-l", mnt.toString()), Map.of(), Duration.ofSeconds(30), log);
    }
  }

  /** Aborts the FUSE connection of a hung mount (its device minor names the control dir). */
  static void abortFuse(Path mnt, Path log) {
    for (String[] f : mountinfo()) {
      if (f[4].equals(mnt.toString()) && f[2].startsWith("0:")) {
        Path abort = Path.of("/sys/fs/fuse/connections", f[2].substring(2), "abort");
        if (Files.exists(abort)) {
          try {
            Files.writeString(abort, "1");
            Proc.append(log, "[bench] aborted FUSE connection of " + mnt);
          } catch (IOException e) {
            // best effort
          }
        }
      }
    }
  }

  static boolean isMounted(Path mnt) {
    String m = mnt.toString();
    for (String[] f : mountinfo()) {
      if (f[4].equals(m)) {
        return true;
      }
    }
    return false;
  }

  /** Mount points (unescaped field 5) under a directory, deepest first. */
  static List<Path> mountsUnder(Path dir) {
    List<Path> out = new ArrayList<>();
    for (String[] f : mountinfo()) {
      Path p = Path.of(f[4]);
      if (p.startsWith(dir)) {
        out.add(p);
      }
    }
    out.sort((a, b) -> b.getNameCount() - a.getNameCount());
    return out;
  }

  private static List<String[]> mountinfo() {
    List<String[]> out = new ArrayList<>();
    try {
      for (String line : new String(Files.readAllBytes(Path.of("/proc/self/mountinfo")), java.nio.charset.StandardCharsets.UTF_8).lines().toList()) {
        String[] f = line.split(" ");
        if (f.length > 4) {
          f[4] = f[4].replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n")
              .replace("\\134", "\\");
          out.add(f);
        }
      }
    } catch (IOException e) {
      // no /proc: nothing mounted that we can see
    }
    return out;
  }
}
