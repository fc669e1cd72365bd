package org.unionfsjava.e2e.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.e2e.support.Mounts;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.Processes.Result;
import org.unionfsjava.e2e.support.TestUnion;

/**
 * Issue 17: {@code mount -o remount,ro} and back to {@code rw} on a live union, through the mount
 * helper exactly as mount(8) runs it (util-linux passes the mount's present options again, e.g.
 * {@code -o ro,relatime,remount,user_id=0,group_id=0,default_permissions,allow_other}): the kernel
 * switches the union, writes then fail with EROFS and work again after rw; a remount that would
 * change a FUSE option or the branches is refused with exit code 32 and a line that says so, and
 * the union stays as it was.
 */
@Timeout(120)
class RemountReadOnlyTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Path HELPER = Path.of(System.getProperty("unionfs.repo.dir", ".."),
      "examples/fstab/mount.unionfs-java");

  @TempDir
  Path dir;

  private Path upper;
  private Path lower;
  private Path union;

  @BeforeEach
  void mount() throws IOException {
    assumeTrue("root".equals(System.getProperty("user.name")), "remount needs root");
    upper = Files.createDirectories(dir.resolve("upper"));
    lower = Files.createDirectories(dir.resolve("lower"));
    union = Files.createDirectories(dir.resolve("union"));
    Files.writeString(lower.resolve("base"), "base\n");
    helper("-o", "upper=" + upper + ",lower=" + lower + ",log-file=" + dir.resolve("log"))
        .requireSuccess("mount helper");
    assertEquals("fuse.unionfs-java", Mounts.fsTypeAt(union));
  }

  @AfterEach
  void unmount() {
    Mounts.unmountQuietly(union);
  }

  @Test
  void remountReadOnlyThenReadWrite_theKernelSwitchesTheLiveUnion() throws IOException {
    helper("-o", "ro,relatime,remount," + superOptions()).requireSuccess("remount,ro");
    assertTrue(vfsOptions().startsWith("ro,"), vfsOptions());
    FileSystemException refused = org.junit.jupiter.api.Assertions.assertThrows(
        FileSystemException.class, () -> Files.writeString(union.resolve("new"), "x"));
    assertTrue(String.valueOf(refused.getReason()).contains("Read-only file system"),
        String.valueOf(refused.getReason()));
    assertEquals("base\n", Files.readString(union.resolve("base")));
    assertFalse(Files.exists(upper.resolve("new")));

    helper("-o", "rw,noatime,remount," + superOptions()).requireSuccess("remount,rw");
    assertTrue(vfsOptions().startsWith("rw,noatime"), vfsOptions());
    Files.writeString(union.resolve("new"), "x");
    assertEquals("x", Files.readString(upper.resolve("new")));
  }

  @Test
  void remountOfAFuseOptionOrTheBranches_isRefusedAndChangesNothing() throws IOException {
    String before = vfsOptions();
    Result option = helper("-o", "remount,ro,max_read=4096," + superOptions());
    assertEquals(32, option.exit(), option.stderr());
    assertEquals("mount.unionfs-java: remount can change ro/rw and the mount flags (noatime,"
        + " nosuid, ...), not max_read=4096: unmount and mount again\n", option.stderr());
    Result branches = helper("-o", "remount,ro,upper=" + lower + ",lower=" + upper);
    assertEquals(32, branches.exit(), branches.stderr());
    assertTrue(branches.stderr().startsWith("mount.unionfs-java: remount cannot change the"
        + " branches (mounted: " + upper + ":" + lower + "; asked: " + lower + ":" + upper
        + "): unmount and mount again"), branches.stderr());
    assertEquals(before, vfsOptions());
    Files.writeString(union.resolve("still-writable"), "x");
  }

  private Result helper(String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("env",
        "UNIONFS_JAVA=" + TestUnion.launcher(), HELPER.toString(), "unionfs-java",
        union.toString()));
    command.addAll(List.of(args));
    return Processes.run(TIMEOUT, command);
  }

  /** The mount's own options (field 6 of mountinfo): ro or rw and the mount flags. */
  private String vfsOptions() throws IOException {
    return mountInfo()[5];
  }

  /** The superblock's options (after the type and source), as mount(8) passes them again. */
  private String superOptions() throws IOException {
    String[] fields = mountInfo();
    for (int i = 6; i < fields.length; i++) {
      if (fields[i].equals("-")) {
        return fields[i + 3].replaceFirst("^r[ow],", "");
      }
    }
    throw new AssertionError("no super options");
  }

  private String[] mountInfo() throws IOException {
    for (String line : new String(Files.readAllBytes(Path.of("/proc/self/mountinfo")), java.nio.charset.StandardCharsets.UTF_8).lines().toList()) {
      String[] fields = line.split(" ");
      if (fields[4].equals(union.toString())) {
        return fields;
      }
    }
    throw new AssertionError("nothing mounted at " + union);
  }
}
