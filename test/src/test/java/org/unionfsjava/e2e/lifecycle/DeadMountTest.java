package org.unionfsjava.e2e.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.CliMount;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.Launcher;
import org.unionfsjava.e2e.support.Mounts;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 18, item 5: after the server dies (SIGKILL) its mount point answers ENOTCONN. {@code
 * unionfs-java mount} there again detaches the dead union (lazily), says so in one line and
 * mounts; {@code unionfs-java umount} of it works; a dead mount of another filesystem there is
 * refused with what it is and how to detach it. With {@code -o auto_unmount} (as root) the mount
 * point is gone by itself once the server is dead.
 *
 * <p>Kernel overlayfs has no server that can die; a plain directory has nothing to recover.
 */
@Timeout(180)
@DisplayName("lifecycle: a dead server's mount point is recovered")
class DeadMountTest {
  @TempDir Path tmp;

  private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(90);

  private Path lower;
  private Path upper;
  private Path mnt;

  private List<String> mountArgs(UnionSystem system, String... more) throws Exception {
    lower = Files.createDirectories(tmp.resolve("lower"));
    Fixture.file(lower.resolve("f"), "lower f\n");
    upper = Files.createDirectories(tmp.resolve("upper"));
    mnt = Files.createDirectories(tmp.resolve("mnt"));
    List<String> args = new ArrayList<>(List.of("--whiteout-format", system.whiteoutFormat(),
        "--upper", upper.toString(), "--lower", lower.toString()));
    args.addAll(List.of(more));
    return args;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("mount at a dead union's mount point: one line says it was detached, then the union mounts with its upper intact")
  void mount_atDeadUnion_detachesItAndMounts(UnionSystem system) throws Exception {
    SystemSelection.assumeSelected(system);
    List<String> args = mountArgs(system);
    Launcher.Run again = null;
    try {
      mountWriteAndKillLeavingDead(args);
      List<String> cmd = new ArrayList<>(List.of("mount"));
      cmd.addAll(args);
      cmd.add(mnt.toString());
      again = Launcher.run(Map.of(), cmd);
      assertEquals(0, again.exit(), again.toString());
      assertEquals(List.of("unionfs-java: detached the dead union at " + mnt
          + " (its server had ended); mounting again"), again.stderrLines());
      assertEquals(UnionSystem.JAVA_OVERLAY.fsType(), Mounts.fsTypeAt(mnt));
      assertEquals(List.of("through-first"), Fixture.names(mnt), "the upper as the first left it");
      assertEquals("first\n", Fixture.read(mnt.resolve("through-first")));
    } finally {
      if (again != null) {
        Launcher.endServer(again, mnt);
      }
      Mounts.unmountQuietly(mnt);
    }
  }

  /** As {@link #mountWriteAndKill} but without CliMount's close(), which would unmount. */
  private void mountWriteAndKillLeavingDead(List<String> args) throws Exception {
    CliMount first = CliMount.start(mnt, tmp.resolve("first.log"), args);
    try {
      assertTrue(first.awaitMounted(MOUNT_TIMEOUT), first.output());
      Fixture.file(mnt.resolve("through-first"), "first\n");
      Files.delete(mnt.resolve("f"));
      Processes.run(Duration.ofSeconds(30), "sync").requireSuccess("sync");
    } finally {
      first.kill();
    }
    assertEquals("ENOTCONN", Syscalls.access(mnt, 0).outcome(), "the dead mount point");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("umount of a dead union: exit 0, says the server had ended, nothing left mounted")
  void umount_deadUnion_unmounts(UnionSystem system) throws Exception {
    SystemSelection.assumeSelected(system);
    List<String> args = mountArgs(system);
    try {
      mountWriteAndKillLeavingDead(args);
      Launcher.Run umount = Launcher.run("umount", mnt.toString());
      assertEquals(0, umount.exit(), umount.toString());
      assertEquals("unmounted " + mnt + " (its server had already ended)\n", umount.stdout());
      assertNull(Mounts.fsTypeAt(mnt), "nothing mounted");
      assertEquals(List.of(), Fixture.names(mnt), "the bare mount point directory");
    } finally {
      Mounts.unmountQuietly(mnt);
    }
  }

  @Test
  @DisplayName("mount at a dead fuse-overlayfs mount: exit 3, one line naming it and how to detach it; it stays")
  void mount_atDeadMountOfAnotherKind_refusedSayingHowToDetach() throws Exception {
    SystemSelection.assumeSelected(UnionSystem.JAVA_OVERLAY);
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/fuse-overlayfs")), "fuse-overlayfs");
    List<String> args = mountArgs(UnionSystem.JAVA_OVERLAY);
    Path fl = Files.createDirectories(tmp.resolve("fo-lower"));
    Path fu = Files.createDirectories(tmp.resolve("fo-upper"));
    Path fw = Files.createDirectories(tmp.resolve("fo-work"));
    Process other = new ProcessBuilder("/usr/bin/fuse-overlayfs", "-f", "-o",
        "lowerdir=" + fl + ",upperdir=" + fu + ",workdir=" + fw, mnt.toString())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve("fuse-overlayfs.log").toFile())
        .start();
    Launcher.Run refused = null;
    try {
      assertTrue(Mounts.awaitMounted(mnt, "fuse.fuse-overlayfs", MOUNT_TIMEOUT, other.toHandle()),
          "fuse-overlayfs mounted");
      other.destroyForcibly();
      assertTrue(other.waitFor(30, TimeUnit.SECONDS), "fuse-overlayfs ended");
      assertEquals("ENOTCONN", Syscalls.access(mnt, 0).outcome(), "the dead mount point");
      List<String> cmd = new ArrayList<>(List.of("mount"));
      cmd.addAll(args);
      cmd.add(mnt.toString());
      refused = Launcher.run(Map.of(), cmd);
      assertEquals(3, refused.exit(), refused.toString());
      assertEquals(List.of("unionfs-java: mount point is a dead fuse.fuse-overlayfs mount (its"
          + " server has ended; detach it with: umount -l " + mnt + ", or as its owner"
          + " fusermount3 -u -z " + mnt + "): " + mnt), refused.stderrLines());
      assertEquals("fuse.fuse-overlayfs", Mounts.fsTypeAt(mnt), "left as it was");
      assertEquals(List.of(), Fixture.names(upper), "the upper is untouched");
    } finally {
      if (refused != null) {
        Launcher.endServer(refused, mnt);
      }
      other.destroyForcibly();
      other.waitFor(30, TimeUnit.SECONDS);
      Mounts.unmountQuietly(mnt);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("-o auto_unmount (root): once the server is killed the mount point is gone by itself; mounting again needs no recovery")
  void autoUnmount_serverKilled_mountPointGone(UnionSystem system) throws Exception {
    SystemSelection.assumeSelected(system);
    List<String> args = mountArgs(system, "-o", "auto_unmount");
    Launcher.Run again = null;
    try {
      CliMount first = CliMount.start(mnt, tmp.resolve("first.log"), args);
      try {
        assertTrue(first.awaitMounted(MOUNT_TIMEOUT), first.output());
        Fixture.file(mnt.resolve("through-first"), "first\n");
      } finally {
        first.kill();
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (Mounts.fsTypeAt(mnt) != null && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertNull(Mounts.fsTypeAt(mnt), "fusermount3 unmounted the dead union");
      assertEquals(List.of(), Fixture.names(mnt), "the bare mount point directory");
      List<String> cmd = new ArrayList<>(List.of("mount"));
      cmd.addAll(args);
      cmd.add(mnt.toString());
      again = Launcher.run(Map.of(), cmd);
      assertEquals(0, again.exit(), again.toString());
      assertEquals(List.of(), again.stderrLines());
      assertEquals("first\n", Fixture.read(mnt.resolve("through-first")));
    } finally {
      if (again != null) {
        Launcher.endServer(again, mnt);
      }
      Mounts.unmountQuietly(mnt);
    }
  }
}
