package org.unionfsjava.e2e.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.TreeSnapshot;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 18, item 3: one upper (or one work directory) is used by one union at a time. A second
 * {@code unionfs-java mount} of it at another mount point is refused with one line naming the
 * first (its mount point and server PID) and exit code 3, and changes nothing; once the first
 * server is gone (even by SIGKILL) the upper is free again. A directory that a kernel overlay
 * uses as upperdir or workdir is refused the same way.
 *
 * <p>Kernel overlayfs, for comparison (6.18, measured by hand): a second overlay with the same
 * upperdir or workdir mounts with a warning in dmesg when index=off (the default here), and is
 * refused with EBUSY when index=on.
 */
@Timeout(180)
@DisplayName("lifecycle: an upper in use by another union is refused")
class UpperInUseTest {
  @TempDir Path tmp;

  private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(90);

  private static List<String> branchArgs(UnionSystem system, Path upper, Path lower,
      String... more) {
    List<String> args = new ArrayList<>(List.of("--whiteout-format", system.whiteoutFormat(),
        "--upper", upper.toString(), "--lower", lower.toString()));
    args.addAll(List.of(more));
    return args;
  }

  private static CliMount mountFirst(Path mnt, Path log, List<String> args) throws Exception {
    CliMount first = CliMount.start(mnt, log, args);
    if (!first.awaitMounted(MOUNT_TIMEOUT)) {
      String out = first.output();
      first.close();
      throw new AssertionError("the first union did not mount; its output:\n" + out);
    }
    return first;
  }

  /** A background mount as a user types it; refused runs leave nothing to clean, others do. */
  private static Launcher.Run mountInBackground(Path mnt, List<String> args) {
    List<String> cmd = new ArrayList<>(List.of("mount"));
    cmd.addAll(args);
    cmd.add(mnt.toString());
    return Launcher.run(Map.of(), cmd);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("the same upper at a second mount point: exit 3, one line naming the first, nothing changed")
  void mount_sameUpperAtSecondMountPoint_refusedNamingTheFirst(UnionSystem system)
      throws Exception {
    SystemSelection.assumeSelected(system);
    Path lower = Files.createDirectories(tmp.resolve("lower"));
    Fixture.file(lower.resolve("f"), "lower f\n");
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Path mnt1 = Files.createDirectories(tmp.resolve("mnt1"));
    Path mnt2 = Files.createDirectories(tmp.resolve("mnt2"));
    try (CliMount first = mountFirst(mnt1, tmp.resolve("first.log"),
        branchArgs(system, upper, lower))) {
      Fixture.file(mnt1.resolve("through-first"), "first\n");
      Map<String, String> upperBefore = TreeSnapshot.of(upper, true);
      Launcher.Run second = mountInBackground(mnt2, branchArgs(system, upper, lower));
      try {
        assertEquals(3, second.exit(), second.toString());
        assertEquals(List.of("unionfs-java: upper is in use by the union mounted at " + mnt1
            + " (pid " + first.pid() + "; unmount it first: unionfs-java umount " + mnt1 + "): "
            + upper), second.stderrLines());
        assertEquals("", second.stdout());
        assertNull(Mounts.fsTypeAt(mnt2), "nothing mounted at the second mount point");
        assertEquals(upperBefore, TreeSnapshot.of(upper, true), "the upper is unchanged");
        assertEquals("first\n", Fixture.read(mnt1.resolve("through-first")),
            "the first union still serves");
      } finally {
        Launcher.endServer(second, mnt2);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("another upper with the same --workdir: exit 3, the first union's work directory untouched")
  void mount_sameWorkDirWithOtherUpper_refused(UnionSystem system) throws Exception {
    SystemSelection.assumeSelected(system);
    Path lower = Files.createDirectories(tmp.resolve("lower"));
    Fixture.file(lower.resolve("f"), "lower f\n");
    Path upper1 = Files.createDirectories(tmp.resolve("upper1"));
    Path upper2 = Files.createDirectories(tmp.resolve("upper2"));
    Path work = tmp.resolve("work");
    Path mnt1 = Files.createDirectories(tmp.resolve("mnt1"));
    Path mnt2 = Files.createDirectories(tmp.resolve("mnt2"));
    try (CliMount first = mountFirst(mnt1, tmp.resolve("first.log"),
        branchArgs(system, upper1, lower, "--workdir", work.toString()))) {
      Map<String, String> workBefore = TreeSnapshot.of(work, true);
      Launcher.Run second = mountInBackground(mnt2,
          branchArgs(system, upper2, lower, "--workdir", work.toString()));
      try {
        assertEquals(3, second.exit(), second.toString());
        assertEquals(List.of("unionfs-java: work directory is in use by the union mounted at "
            + mnt1 + " (pid " + first.pid() + "; unmount it first: unionfs-java umount " + mnt1
            + "): " + work), second.stderrLines());
        assertNull(Mounts.fsTypeAt(mnt2), "nothing mounted at the second mount point");
        assertEquals(workBefore, TreeSnapshot.of(work, true), "the work directory is unchanged");
        assertEquals(List.of(), Fixture.names(upper2), "the second upper is untouched");
      } finally {
        Launcher.endServer(second, mnt2);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("after the first server is killed (SIGKILL) the upper is free: a mount elsewhere works and shows its files")
  void mount_afterFirstServerKilled_upperIsFreeAgain(UnionSystem system) throws Exception {
    SystemSelection.assumeSelected(system);
    Path lower = Files.createDirectories(tmp.resolve("lower"));
    Fixture.file(lower.resolve("f"), "lower f\n");
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Path mnt1 = Files.createDirectories(tmp.resolve("mnt1"));
    Path mnt2 = Files.createDirectories(tmp.resolve("mnt2"));
    Launcher.Run second = null;
    try (CliMount first = mountFirst(mnt1, tmp.resolve("first.log"),
        branchArgs(system, upper, lower))) {
      Fixture.file(mnt1.resolve("through-first"), "first\n");
      Processes.run(Duration.ofSeconds(30), "sync").requireSuccess("sync");
      first.kill();
      second = mountInBackground(mnt2, branchArgs(system, upper, lower));
      assertEquals(0, second.exit(), second.toString());
      assertEquals(List.of(), second.stderrLines());
      assertEquals("first\n", Fixture.read(mnt2.resolve("through-first")));
      assertEquals("lower f\n", Fixture.read(mnt2.resolve("f")));
    } finally {
      if (second != null) {
        Launcher.endServer(second, mnt2);
      }
      Mounts.unmountQuietly(mnt1);
    }
  }

  @Test
  @DisplayName("an upper that a kernel overlay uses as upperdir, or a work directory it uses as workdir: exit 3")
  void mount_dirsOfAKernelOverlay_refused() throws Exception {
    UnionSystem system = UnionSystem.JAVA_OVERLAY;
    SystemSelection.assumeSelected(system);
    Path lower = Files.createDirectories(tmp.resolve("lower"));
    Fixture.file(lower.resolve("f"), "lower f\n");
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Path work = Files.createDirectories(tmp.resolve("work"));
    Path overlay = Files.createDirectories(tmp.resolve("overlay"));
    Path otherUpper = Files.createDirectories(tmp.resolve("other-upper"));
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    Processes.run(Duration.ofSeconds(30), "mount", "-t", "overlay", "overlay", "-o",
        "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work, overlay.toString())
        .requireSuccess("mount -t overlay");
    Launcher.Run asUpper = null;
    Launcher.Run asWork = null;
    try {
      Map<String, String> upperBefore = TreeSnapshot.of(upper, true);
      asUpper = mountInBackground(mnt, branchArgs(system, upper, lower));
      assertEquals(3, asUpper.exit(), asUpper.toString());
      assertEquals(List.of("unionfs-java: upper is the upperdir of the kernel overlay mounted at "
          + overlay + " (unmount that first: umount " + overlay + "): " + upper),
          asUpper.stderrLines());
      assertEquals(upperBefore, TreeSnapshot.of(upper, true), "the overlay's upper is unchanged");

      asWork = mountInBackground(mnt, branchArgs(system, otherUpper, lower,
          "--workdir", work.toString()));
      assertEquals(3, asWork.exit(), asWork.toString());
      assertTrue(asWork.stderr().startsWith("unionfs-java: work directory is the workdir of the"
          + " kernel overlay mounted at " + overlay), asWork.stderr());
      assertNull(Mounts.fsTypeAt(mnt), "nothing mounted");
      assertEquals(List.of(), Fixture.names(otherUpper), "the other upper is untouched");
    } finally {
      if (asUpper != null) {
        Launcher.endServer(asUpper, mnt);
      }
      if (asWork != null) {
        Launcher.endServer(asWork, mnt);
      }
      Mounts.unmountQuietly(overlay);
    }
  }
}
