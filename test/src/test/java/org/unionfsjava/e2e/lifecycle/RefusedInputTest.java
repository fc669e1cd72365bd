package org.unionfsjava.e2e.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.e2e.support.CliMount;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.Launcher;
import org.unionfsjava.e2e.support.Mounts;
import org.unionfsjava.e2e.support.TestUnion;

/**
 * Issue 18, item 6: input that used to get through to the background server or to libfuse is
 * refused by the command itself: one line with the real reason, exit code 2, and nothing changed
 * (nothing mounted, no work directory in the upper, no server started, so no log). Run as a user
 * types it ({@code unionfs-java mount} in the default background mode) and through the fstab
 * helper. The whiteout format plays no part here.
 *
 * <p>Kernel overlayfs 6.18, for comparison (by hand): {@code mount -t overlay -o ...,nonsense_opt}
 * fails (mount(8) exit 32, "overlay: Unknown parameter 'nonsense_opt'" in the kernel log);
 * {@code mount -o remount,ro} and back to rw work; {@code remount,upperdir=OTHER} returns 0 and
 * changes nothing (mountinfo still shows the old upperdir).
 */
@Timeout(180)
@DisplayName("lifecycle: bad options and durations are refused before anything is mounted")
class RefusedInputTest {
  @TempDir Path tmp;

  private Path lower;
  private Path upper;
  private Path mnt;
  private Path log;

  @BeforeEach
  void branches() throws Exception {
    lower = Files.createDirectories(tmp.resolve("lower"));
    Fixture.file(lower.resolve("f"), "lower f\n");
    upper = Files.createDirectories(tmp.resolve("upper"));
    mnt = Files.createDirectories(tmp.resolve("mnt"));
    log = tmp.resolve("server.log");
  }

  private List<String> mountCommand(String... options) {
    List<String> cmd = new ArrayList<>(List.of("mount", "--upper", upper.toString(),
        "--lower", lower.toString(), "--log-file", log.toString()));
    cmd.addAll(List.of(options));
    cmd.add(mnt.toString());
    return cmd;
  }

  /** Exit 2, the reason as the first line (picocli adds only where --help is), nothing changed. */
  private void assertRefused(Launcher.Run run, String reasonLine) {
    assertEquals(2, run.exit(), run.toString());
    List<String> lines = run.stderrLines();
    assertEquals(reasonLine, lines.get(0), run.toString());
    assertEquals(List.of("Run 'unionfs-java mount --help' for usage."),
        lines.subList(1, lines.size()), "nothing but the reason and where help is");
    assertEquals("", run.stdout());
    assertFalse(Files.exists(log), "no server was started");
    assertEquals(List.of(), Fixture.names(upper), "the upper is untouched");
  }

  private Launcher.Run mountRefusedOrCleaned(String... options) {
    Launcher.Run run = Launcher.run(Map.of(), mountCommand(options));
    Launcher.endServer(run, mnt);
    assertNull(Mounts.fsTypeAt(mnt), "nothing mounted");
    return run;
  }

  @Test
  @DisplayName("--cache-ttl 999999999999h: exit 2, says the longest TTL (24h) and what to use instead")
  void mount_cacheTtlOverflowing_refusedWithTheBound() {
    assertRefused(mountRefusedOrCleaned("--cache-ttl", "999999999999h"),
        "unionfs-java: Invalid value for option '--cache-ttl': '999999999999h' is longer than the"
            + " longest cache TTL, 24h (for lowers that never change while mounted use"
            + " --lower-mode fixed)");
  }

  @Test
  @DisplayName("--cache-ttl 24h: accepted, and the background server reads its own re-encoding")
  void mount_cacheTtlOfADay_mounts() {
    Launcher.Run run = Launcher.run(Map.of(), mountCommand("--cache-ttl", "24h"));
    try {
      assertEquals(0, run.exit(), run.toString());
      assertEquals("lower f\n", Fixture.read(mnt.resolve("f")));
    } finally {
      Launcher.endServer(run, mnt);
    }
  }

  @Test
  @DisplayName("-o nonsense_opt: exit 2 with libfuse 3's reason, not EIO from the server")
  void mount_unknownFuseOption_refusedWithTheReason() {
    Launcher.Run run = mountRefusedOrCleaned("-o", "allow_other,nonsense_opt");
    assertTrue(run.stderrLines().get(0).startsWith("unionfs-java: -o 'nonsense_opt': unknown FUSE"
        + " option (libfuse 3 takes allow_other, allow_root, auto_unmount,"), run.toString());
    assertRefused(run, run.stderrLines().get(0));
  }

  @Test
  @DisplayName("-o attr_timeout=5, relatime, subtype=x: exit 2, each says what to do instead")
  void mount_optionsLibfuse3DoesNotTake_refusedWithAHint() {
    assertRefused(mountRefusedOrCleaned("-o", "attr_timeout=5"), "unionfs-java: -o"
        + " 'attr_timeout=5': a libfuse 2 option that libfuse 3 does not take; use --cache-ttl"
        + " (and --lower-mode)");
    assertRefused(mountRefusedOrCleaned("-o", "relatime"), "unionfs-java: -o 'relatime': libfuse"
        + " 3 does not take it; relatime is the default; leave it out");
    assertRefused(mountRefusedOrCleaned("-o", "subtype=x"), "unionfs-java: -o 'subtype=x':"
        + " subtype= is set by the union itself (fuse.unionfs-java is how it finds its mounts)");
  }

  @Test
  @DisplayName("-o remount,ro at a live union: exit 2, says it is not supported and what to do; the union is unchanged")
  void mount_remountOfALiveUnion_refusedAndTheUnionStaysAsItWas() throws Exception {
    try (CliMount live = CliMount.start(mnt, tmp.resolve("live.log"),
        List.of("--upper", upper.toString(), "--lower", lower.toString()))) {
      assertTrue(live.awaitMounted(Duration.ofSeconds(90)), live.output());
      List<String> namesBefore = Fixture.names(upper);
      Launcher.Run run = Launcher.run(Map.of(), mountCommand("-o", "remount,ro"));
      assertEquals(2, run.exit(), run.toString());
      assertEquals("unionfs-java: -o 'remount': unionfs-java mount does not remount; for ro/rw and"
          + " the mount flags run mount -o remount,ro " + mnt + " (the kernel switches a live"
          + " union), for anything else unmount it and mount it again (unionfs-java umount " + mnt
          + ", then unionfs-java mount ... " + mnt + "); the upper keeps every change",
          run.stderrLines().get(0));
      assertFalse(Files.exists(log), "no server was started");
      assertEquals(namesBefore, Fixture.names(upper));
      Fixture.file(mnt.resolve("still-writable"), "rw\n");
      assertEquals("rw\n", Fixture.read(upper.resolve("still-writable")), "still mounted rw");
    }
  }

  @Test
  @DisplayName("the fstab helper refuses a remount where no union is mounted (exit 32) and passes"
      + " unknown options on to the command, which refuses them (exit 2)")
  void fstabHelper_remountAndUnknownOption_refused() throws Exception {
    Path helper = TestUnion.launcher().getParent().getParent()
        .resolve("examples/fstab/mount.unionfs-java");
    Map<String, String> env = Map.of("UNIONFS_JAVA", TestUnion.launcher().toString());
    Launcher.Run remount = Launcher.run(env, List.of("/bin/bash", helper.toString(),
        "unionfs-java", mnt.toString(), "-o",
        "remount,ro,upper=" + upper + ",lower=" + lower + ",log-file=" + log));
    Launcher.endServer(remount, mnt);
    // mount(8)'s own code for a mount failure; the helper switches a live union itself
    assertEquals(32, remount.exit(), remount.toString());
    assertEquals(List.of("mount.unionfs-java: remount: no unionfs-java union is mounted at " + mnt),
        remount.stderrLines(), remount.toString());
    assertFalse(Files.exists(log), "no server was started");
    Launcher.Run unknown = Launcher.run(env, List.of("/bin/bash", helper.toString(),
        "unionfs-java", mnt.toString(), "-o",
        "rw,upper=" + upper + ",lower=" + lower + ",log-file=" + log + ",nonempty"));
    Launcher.endServer(unknown, mnt);
    assertRefused(unknown, "unionfs-java: -o 'nonempty': a libfuse 2 option that libfuse 3 does"
        + " not take; not needed: libfuse 3 mounts on a directory that is not empty");
    assertNull(Mounts.fsTypeAt(mnt), "nothing mounted");
  }
}
