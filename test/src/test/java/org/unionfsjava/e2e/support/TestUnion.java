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
 * A union mounted for a test: branch directories under one temporary root ({@code lower1..N},
 * {@code upper}, {@code work}, {@code mnt}), a mount of one {@link UnionSystem} over them, and
 * an unmount that cannot hang or leak: {@link #close()} unmounts (lazily as a fallback) and ends
 * the daemon by its PID.
 *
 * <p>unionfs-java runs as a child process in {@code --foreground} mode, so the test owns its PID.
 */
public final class TestUnion implements AutoCloseable {
  private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(60);

  private final Path root;
  private final List<Path> lowers;
  private final Path upper;
  private final Path work;
  private final Path mnt;
  private final UnionSystem system;
  private final List<String> extraArgs = new ArrayList<>();
  private Process daemon;
  private Path log;

  private TestUnion(Path root, int lowerCount, UnionSystem system) throws IOException {
    this.root = root;
    this.system = system;
    List<Path> ls = new ArrayList<>();
    for (int i = 1; i <= lowerCount; i++) {
      ls.add(Files.createDirectories(root.resolve("lower" + i)));
    }
    this.lowers = List.copyOf(ls);
    this.upper = Files.createDirectories(root.resolve("upper"));
    this.work = Files.createDirectories(root.resolve("work"));
    this.mnt = Files.createDirectories(root.resolve("mnt"));
  }

  /** Makes the branch directories (empty) under {@code root}; fill the lowers, then {@link #mount()}. */
  public static TestUnion create(Path root, int lowerCount, UnionSystem system) {
    try {
      return new TestUnion(root, lowerCount, system);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds CLI arguments for unionfs-java (e.g. "--cache-ttl", "0s"); ignored for the kernel. */
  public TestUnion withArgs(String... args) {
    extraArgs.addAll(List.of(args));
    return this;
  }

  /**
   * The repository's launcher, bin/unionfs-java. Its first run after a build trains the start-up
   * class archive (2-7 s, docs/startup.md); that run happens here, once per test JVM, untimed,
   * so that no test's own timeout pays for it.
   */
  public static Path launcher() {
    String repo = System.getProperty("unionfs.repo.dir", "..");
    Path launcher = Path.of(repo).toAbsolutePath().normalize().resolve("bin/unionfs-java");
    if (TRAINED.compareAndSet(false, true)) {
      Processes.run(Duration.ofSeconds(180), launcher.toString(), "--version");
    }
    return launcher;
  }

  private static final java.util.concurrent.atomic.AtomicBoolean TRAINED =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Mounts the union and waits until it is live. */
  public TestUnion mount() {
    if (system.isJava()) {
      mountJava();
    } else {
      List<String> lowerDirs = new ArrayList<>();
      lowers.forEach(l -> lowerDirs.add(l.toString()));
      Processes.run(Duration.ofSeconds(30), "mount", "-t", "overlay", "overlay", "-o",
          "lowerdir=" + String.join(":", lowerDirs) + ",upperdir=" + upper + ",workdir=" + work
              + ",redirect_dir=on,index=off,metacopy=on",
          mnt.toString()).requireSuccess("mount -t overlay");
    }
    return this;
  }

  private void mountJava() {
    List<String> cmd = new ArrayList<>(List.of(launcher().toString(), "mount", "--foreground",
        "--whiteout-format", system.whiteoutFormat(), "--upper", upper.toString()));
    for (Path l : lowers) {
      cmd.add("--lower");
      cmd.add(l.toString());
    }
    cmd.addAll(extraArgs);
    cmd.add(mnt.toString());
    try {
      log = Files.createTempFile(root, "daemon", ".log");
      daemon = new ProcessBuilder(cmd)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      if (!Mounts.awaitMounted(mnt, system.fsType(), MOUNT_TIMEOUT, daemon.toHandle())) {
        String out = Files.readString(log);
        close();
        throw new AssertionError("unionfs-java did not mount " + mnt + "; its output:\n" + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Unmounts and waits for the daemon to end (killing it by PID if it does not). */
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

  /** Kills the daemon with SIGKILL (a crash), then clears the dead mount. */
  public void kill() {
    if (daemon != null) {
      daemon.destroyForcibly();
      try {
        daemon.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      daemon = null;
    }
    Mounts.unmountQuietly(mnt);
  }

  /** The daemon's PID (unionfs-java only). */
  public long pid() {
    return daemon.pid();
  }

  /** What the daemon printed so far (unionfs-java only). */
  public String daemonOutput() {
    try {
      return log == null ? "" : Files.readString(log);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    unmount();
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

  /** The kernel overlay's work directory (unused by unionfs-java unless given as --workdir). */
  public Path work() {
    return work;
  }

  /** The mount point. */
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
