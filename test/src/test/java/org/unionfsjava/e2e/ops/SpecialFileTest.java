package org.unionfsjava.e2e.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.e2e.support.Fixture.file;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.SharedUnions;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/** mknod (fifo, char and block devices, as root) and flock between two processes. */
@Timeout(120)
@DisplayName("mknod, mkfifo, flock")
class SpecialFileTest {
  @TempDir static Path tmp;
  static SharedUnions unions;

  @BeforeAll
  static void createUnions() {
    unions = new SharedUnions(tmp, 1, SpecialFileTest::fill);
  }

  @AfterAll
  static void unmountAll() {
    unions.close();
  }

  static void fill(TestUnion u) {
    Fixture.dir(u.lower(1).resolve("mknod"));
    file(u.lower(1).resolve("flock/lower"), "lock me");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("mkfifo makes a fifo (in the upper) that carries data between two processes")
  void mknod_fifo_isFifoAndCarriesData(UnionSystem system) {
    TestUnion u = unions.get(system);
    String fifo = u.at("mknod/fifo").toString();
    Processes.run(Duration.ofSeconds(30), "mkfifo", "-m", "0640", fifo).requireSuccess("mkfifo");
    assertEquals("fifo", Fixture.stat(u.at("mknod/fifo")).kind());
    assertEquals(0640, Fixture.stat(u.at("mknod/fifo")).perm());
    assertEquals("fifo", Fixture.stat(u.upper().resolve("mknod/fifo")).kind(), "upper");
    Processes.Result r = Processes.sh(Duration.ofSeconds(30),
        "(echo through-fifo > '" + fifo + "') & timeout 20 cat '" + fifo + "'; wait").requireSuccess("fifo i/o");
    assertEquals("through-fifo\n", r.stdout());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("mknod as root makes char and block devices with the given major/minor numbers")
  void mknod_charAndBlockDevices_keepDeviceNumbers(UnionSystem system) {
    TestUnion u = unions.get(system);
    Processes.run(Duration.ofSeconds(30), "mknod", "-m", "0600", u.at("mknod/null").toString(), "c", "1", "3")
        .requireSuccess("mknod c 1 3");
    Processes.run(Duration.ofSeconds(30), "mknod", u.at("mknod/blk").toString(), "b", "7", "200")
        .requireSuccess("mknod b 7 200");
    Processes.Result st = Processes.run(Duration.ofSeconds(30), "stat", "-c", "%F %t:%T %a",
        u.at("mknod/null").toString(), u.at("mknod/blk").toString()).requireSuccess("stat");
    String[] lines = st.stdout().strip().split("\n");
    assertEquals("character special file 1:3 600", lines[0]);
    assertEquals("block special file 7:c8", lines[1].substring(0, lines[1].lastIndexOf(' ')));
    assertEquals("char", Fixture.stat(u.upper().resolve("mknod/null")).kind(), "upper");
    assertEquals("block", Fixture.stat(u.upper().resolve("mknod/blk")).kind(), "upper");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("a char device made through the mount can be opened there, like on kernel overlayfs (no nodev)")
  void mknod_charDevice_isUsableThroughMount(UnionSystem system) {
    TestUnion u = unions.get(system);
    Processes.run(Duration.ofSeconds(30), "mknod", "-m", "0666", u.at("mknod/usable-null").toString(), "c", "1", "3")
        .requireSuccess("mknod c 1 3");
    Processes.Result rw = Processes.sh(Duration.ofSeconds(30), "echo x > '" + u.at("mknod/usable-null")
        + "' && wc -c < '" + u.at("mknod/usable-null") + "'");
    assertEquals(0, rw.exit(), "writing to and reading from the device node failed: " + rw.stderr());
    assertEquals("0", rw.stdout().trim(), "/dev/null semantics through the union's node");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("flock: while one process holds the lock, flock -n in another fails; after it ends, flock -n succeeds")
  void flock_twoProcesses_secondNonBlockingFails(UnionSystem system) throws Exception {
    TestUnion u = unions.get(system);
    for (String name : new String[] {"flock/lower", "flock/new"}) {
      Path f = u.at(name);
      if (!Files.exists(f)) {
        file(f, "new");
      }
      assertHeldLockExcludesOthers(system, f, u.root().resolve(system + "-" + f.getFileName() + ".holder"));
    }
  }

  /**
   * A process waiting for a lock (flock, and fcntl F_SETLKW) must not stall the mount: while it
   * waits, other processes use the union, and it gets the lock as soon as the holder lets go. A
   * daemon that served the wait on its request thread would never see the holder's unlock.
   */
  @ParameterizedTest(name = "{0}, {1}")
  @org.junit.jupiter.params.provider.MethodSource("blockingLockCases")
  @DisplayName("a blocked lock waiter does not stall the mount and gets the lock when the holder lets go")
  void blockingLockWaiter_mountStaysResponsive_getsLockAfterRelease(UnionSystem system, String kind) throws Exception {
    TestUnion u = unions.get(system);
    Path f = u.at("flock/wait-" + kind);
    if (!Files.exists(f)) {
      file(f, "wait");
    }
    // flock(1) for flock(2); perl for fcntl(F_SETLKW) on the whole file
    String lockCmd = kind.equals("flock") ? "flock -x \"$0\" sh -c \"$1\""
        : "exec perl -e 'use Fcntl; open(my $h, \"+<\", $ARGV[0]) or die \"open: $!\"; "
            // struct flock on x86_64: l_type, l_whence, 4 bytes padding, l_start, l_len, l_pid, padding
            + "my $lk = pack(\"s s x4 q q i x4\", F_WRLCK, 0, 0, 0, 0); "
            + "fcntl($h, F_SETLKW, $lk) or die \"lock: $!\"; "
            + "system(\"sh\", \"-c\", $ARGV[1])' \"$0\" \"$1\""; // perl keeps the lock while sh runs
    Path holderOut = u.root().resolve(system + "-" + kind + ".holder");
    Path waiterOut = u.root().resolve(system + "-" + kind + ".waiter");
    Process holder = new ProcessBuilder("sh", "-c", lockCmd, f.toString(), "echo locked; exec sleep 60")
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true).redirectOutput(holderOut.toFile()).start();
    Process waiter = null;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!Files.readString(holderOut).contains("locked") && holder.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(Files.readString(holderOut).contains("locked"), "holder never got the lock: " + Files.readString(holderOut));
      waiter = new ProcessBuilder("sh", "-c", lockCmd, f.toString(), "echo got-it")
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectErrorStream(true).redirectOutput(waiterOut.toFile()).start();
      Thread.sleep(500); // the waiter is blocked in its lock call now
      assertTrue(waiter.isAlive(), "the waiter did not wait: " + Files.readString(waiterOut));
      // the mount keeps serving others while the waiter waits
      Processes.Result others = Processes.run(Duration.ofSeconds(20), "sh", "-c",
          "ls \"$0\" >/dev/null && cat \"$1\" >/dev/null && touch \"$0/others-were-here\"",
          f.getParent().toString(), f.toString());
      assertEquals(0, others.exit(), "the mount stalled while a lock waiter waited: " + others.stderr());
    } finally {
      holder.descendants().forEach(ProcessHandle::destroyForcibly);
      holder.destroyForcibly();
      holder.waitFor(30, TimeUnit.SECONDS);
    }
    boolean done = waiter.waitFor(20, TimeUnit.SECONDS);
    if (!done) {
      waiter.destroyForcibly();
      waiter.waitFor(10, TimeUnit.SECONDS);
    }
    assertTrue(done, "the waiter never got the lock after the holder ended");
    assertEquals("got-it", Files.readString(waiterOut).trim(), "the waiter's output");
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> blockingLockCases() {
    return java.util.stream.Stream.of(UnionSystem.JAVA_OVERLAY, UnionSystem.JAVA_AUFS, UnionSystem.KERNEL_OVERLAY)
        .flatMap(s -> java.util.stream.Stream.of("flock", "fcntl").map(k -> org.junit.jupiter.params.provider.Arguments.of(s, k)));
  }

  private static void assertHeldLockExcludesOthers(UnionSystem system, Path f, Path holderOut)
      throws IOException, InterruptedException {
    Process holder = new ProcessBuilder("flock", "-x", f.toString(), "sh", "-c", "echo locked; exec sleep 60")
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true)
        .redirectOutput(holderOut.toFile())
        .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!Files.readString(holderOut).contains("locked") && holder.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(Files.readString(holderOut).contains("locked"), "holder never got the lock: " + Files.readString(holderOut));
      Processes.Result second = Processes.run(Duration.ofSeconds(30), "flock", "-n", f.toString(), "true");
      assertEquals(1, second.exit(), "flock -n while another process holds the lock on " + f + ": " + second.stderr());
    } finally {
      // The lock lives until flock and its child (sh exec'd into sleep) have both closed it.
      // Killing the child makes flock reap it and exit, so both are gone when waitFor returns.
      holder.descendants().forEach(ProcessHandle::destroyForcibly);
      if (!holder.waitFor(30, TimeUnit.SECONDS)) {
        holder.destroyForcibly();
        holder.waitFor(10, TimeUnit.SECONDS);
      }
    }
    // On FUSE the last close of the holder's descriptor reaches the daemon as RELEASE (which drops
    // the lock) asynchronously, after the process is gone: allow that a bounded moment (2 s).
    Processes.Result after = Processes.run(Duration.ofSeconds(30), "flock", "-n", f.toString(), "true");
    long deadline = System.nanoTime() + 2_000_000_000L;
    while (after.exit() != 0 && system.isJava() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      after = Processes.run(Duration.ofSeconds(30), "flock", "-n", f.toString(), "true");
    }
    assertEquals(0, after.exit(), "flock -n after the holder ended on " + f + ": " + after.stderr());
  }
}
