package org.unionfsjava.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A unionfs-java mount for the reliability tests: like {@link TestUnion} (branches under one root,
 * {@code bin/unionfs-java mount --foreground} as a child process the test owns by PID), plus what
 * crash and leak tests need and TestUnion does not offer: JVM options for the daemon (through the
 * launcher's {@code UNIONFS_JAVA_OPTS}), a SIGKILL that leaves the dead mount in place until the
 * test has collected its workload, mounting again on the same branches any number of times, and
 * the daemon's /proc figures (open descriptors, threads, resident memory).
 *
 * <p>{@link #close()} unmounts (lazily as a fallback) and ends the daemon by its PID.
 */
public final class RelUnion implements AutoCloseable {
  private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(90);

  private final Path root;
  private final List<Path> lowers;
  private final Path upper;
  private final Path mnt;
  private final UnionSystem system;
  private final List<String> extraArgs = new ArrayList<>();
  private String javaOpts = "";
  private Process daemon;
  private Path log;
  private int mounts;

  private RelUnion(Path root, int lowerCount, UnionSystem system, String mntRel) throws IOException {
    if (!system.isJava()) {
      throw new IllegalArgumentException("RelUnion mounts unionfs-java only, not " + system);
    }
    this.root = root;
    this.system = system;
    List<Path> ls = new ArrayList<>();
    for (int i = 1; i <= lowerCount; i++) {
      ls.add(Files.createDirectories(root.resolve("lower" + i)));
    }
    this.lowers = List.copyOf(ls);
    this.upper = Files.createDirectories(root.resolve("upper"));
    this.mnt = Files.createDirectories(root.resolve(mntRel));
  }

  /** Makes the (empty) branch directories under {@code root}; fill the lowers, then {@link #mount()}. */
  public static RelUnion create(Path root, int lowerCount, UnionSystem system) {
    return create(root, lowerCount, system, "mnt");
  }

  /**
   * As {@link #create(Path, int, UnionSystem)} with the mount point at {@code root/mntRel}: a
   * mount point at another depth than the upper makes a relative symlink target resolve to
   * different places through the mount (the kernel) and inside the upper (the daemon), which the
   * hostile-input tests use to tell the two apart.
   */
  public static RelUnion create(Path root, int lowerCount, UnionSystem system, String mntRel) {
    try {
      return new RelUnion(root, lowerCount, system, mntRel);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * JVM options for the daemon. The crash test passes {@code -XX:TieredStopAtLevel=1}: on a busy
   * two-CPU machine C2 compiling at start-up tripled the time to mount (6 s against 1.5 s), and
   * the union's code and semantics are the same either way.
   */
  public RelUnion javaOpts(String opts) {
    this.javaOpts = opts;
    return this;
  }

  /** Extra CLI arguments for {@code unionfs-java mount}. */
  public RelUnion withArgs(String... args) {
    extraArgs.addAll(List.of(args));
    return this;
  }

  /** Mounts and waits until the mount is live (fails with the daemon's output otherwise). */
  public RelUnion mount() {
    if (daemon != null) {
      throw new IllegalStateException("already mounted");
    }
    List<String> cmd = new ArrayList<>(List.of(TestUnion.launcher().toString(), "mount", "--foreground",
        "--whiteout-format", system.whiteoutFormat(), "--upper", upper.toString()));
    for (Path l : lowers) {
      cmd.add("--lower");
      cmd.add(l.toString());
    }
    cmd.addAll(extraArgs);
    cmd.add(mnt.toString());
    try {
      mounts++;
      log = root.resolve("daemon-" + mounts + ".log");
      ProcessBuilder pb = new ProcessBuilder(cmd)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      Map<String, String> env = pb.environment();
      if (!javaOpts.isEmpty()) {
        env.put("UNIONFS_JAVA_OPTS", javaOpts);
      }
      daemon = pb.start();
      if (!Mounts.awaitMounted(mnt, system.fsType(), MOUNT_TIMEOUT, daemon.toHandle())) {
        String out = daemonOutput();
        unmount();
        throw new AssertionError("unionfs-java did not mount " + mnt + "; its output:\n" + out);
      }
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * SIGKILL to the daemon (a crash) and a bounded wait for it to be gone. The mount stays in
   * /proc/self/mountinfo, dead ("transport endpoint is not connected"), until {@link
   * #clearDeadMount()}: the test first collects what its workload saw.
   */
  public void kill() {
    if (daemon == null) {
      return;
    }
    daemon.destroyForcibly(); // Process.destroyForcibly is SIGKILL on Linux
    try {
      if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError("daemon " + daemon.pid() + " still alive 30 s after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    daemon = null;
  }

  /** Unmounts what a killed daemon left (lazily if something still holds it). */
  public void clearDeadMount() {
    Mounts.unmountQuietly(mnt);
    if (Mounts.fsTypeAt(mnt) != null) {
      throw new AssertionError("could not clear the dead mount at " + mnt);
    }
  }

  /** Unmounts and waits for the daemon to end, killing it by PID if it does not. */
  public void unmount() {
    Mounts.unmountQuietly(mnt);
    if (daemon != null) {
      try {
        if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
          daemon.destroyForcibly();
          daemon.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        daemon.destroyForcibly();
      }
      daemon = null;
    }
  }

  @Override
  public void close() {
    if (daemon != null) {
      unmount();
    } else {
      Mounts.unmountQuietly(mnt);
    }
  }

  /** True while the daemon process runs. */
  public boolean alive() {
    return daemon != null && daemon.isAlive();
  }

  /** The daemon's PID (the launcher execs java, so this is the JVM serving the mount). */
  public long pid() {
    if (daemon == null) {
      throw new IllegalStateException("not mounted");
    }
    return daemon.pid();
  }

  /** How many times this union was mounted. */
  public int mountCount() {
    return mounts;
  }

  /** What the current (or last) daemon printed. */
  public String daemonOutput() {
    try {
      return log == null || !Files.exists(log) ? "" : Files.readString(log);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** The daemon's open file descriptors (entries of /proc/PID/fd). */
  public int openFds() {
    try (var s = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
      return (int) s.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The daemon's open file descriptors with their targets, for messages. */
  public List<String> openFdTargets() {
    List<String> out = new ArrayList<>();
    try (var s = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
      for (Path fd : s.toList()) {
        try {
          out.add(fd.getFileName() + " -> " + Files.readSymbolicLink(fd));
        } catch (IOException gone) {
          // closed while listing
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** A numeric field of /proc/PID/status, such as "Threads" or "VmRSS" (kB). */
  public long status(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new AssertionError("no field " + field + " in /proc/" + pid() + "/status");
  }

  /** A thread dump of the daemon (jstack), for a test that found it stuck. */
  public String threadDump() {
    try {
      return Processes.run(Duration.ofSeconds(30), "jstack", Long.toString(pid())).stdout();
    } catch (AssertionError e) {
      return "(jstack failed: " + e.getMessage() + ")";
    }
  }

  public Path root() {
    return root;
  }

  /** Lower branch i, counted from 1 = top. */
  public Path lower(int i) {
    return lowers.get(i - 1);
  }

  public List<Path> lowers() {
    return lowers;
  }

  public Path upper() {
    return upper;
  }

  /** The default work directory inside the upper ({@code .unionfs-java}). */
  public Path workDir() {
    return upper.resolve(".unionfs-java");
  }

  public Path mnt() {
    return mnt;
  }

  /** A path inside the mount. */
  public Path at(String rel) {
    return mnt.resolve(rel);
  }

  public UnionSystem system() {
    return system;
  }
}
