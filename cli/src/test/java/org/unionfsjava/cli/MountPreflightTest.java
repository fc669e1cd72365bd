package org.unionfsjava.cli;

import org.unionfsjava.fs.MountTable;
import org.unionfsjava.fs.FuseLibrary;
import org.unionfsjava.fs.Tuning;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.fs.UpperLock;

/**
 * Every mistake the preflight catches, run through the whole command line: each answers one line
 * naming the problem and the path, a documented exit code, and leaves the upper untouched (no work
 * directory, no log directory) and the mount never called.
 */
class MountPreflightTest {

  @TempDir Path temp;
  private TestMachine machine;

  @BeforeEach
  void setUp() throws IOException {
    machine = new TestMachine(temp);
  }

  private void assertRefused(TestMachine.Result result, ExitStatus status, String problem,
      Path path) {
    assertEquals(status.code(), result.exitCode(), result.err());
    String[] lines = result.err().strip().split("\n");
    assertEquals(1, lines.length, "one line: " + result.err());
    assertTrue(lines[0].startsWith("unionfs-java: " + problem), lines[0]);
    assertTrue(lines[0].endsWith(": " + path), lines[0]);
    assertEquals("", result.out());
    assertEquals(List.of(), TestMachine.listing(machine.upper), "upper untouched");
    assertFalse(Files.exists(machine.logDir), "no log directory");
    assertEquals(List.of(), machine.mountCalls, "never mounted");
  }

  private TestMachine.Result mount(Path upper, Path lower, Path mountPoint) {
    return machine.run("mount", "--foreground", "--upper", upper.toString(),
        "--lower", lower.toString(), mountPoint.toString());
  }

  @Test
  void mount_missingUpper_exits3() {
    Path missing = machine.root.resolve("nope");
    assertRefused(mount(missing, machine.lower, machine.mountPoint), ExitStatus.BAD_PATH,
        "upper does not exist", missing);
    assertFalse(Files.exists(missing));
  }

  @Test
  void mount_upperIsAFile_exits3() throws IOException {
    Path file = Files.createFile(machine.root.resolve("file"));
    assertRefused(mount(file, machine.lower, machine.mountPoint), ExitStatus.BAD_PATH,
        "upper is not a directory", file);
  }

  @Test
  void mount_missingLower_exits3() {
    Path missing = machine.root.resolve("nope");
    assertRefused(mount(machine.upper, missing, machine.mountPoint), ExitStatus.BAD_PATH,
        "lower does not exist", missing);
  }

  @Test
  void mount_secondLowerIsAFile_exits3() throws IOException {
    Path file = Files.createFile(machine.root.resolve("file"));
    TestMachine.Result result = machine.run("mount", "--foreground",
        "--upper", machine.upper.toString(), "--lower", machine.lower.toString(),
        "--lower", file.toString(), machine.mountPoint.toString());
    assertRefused(result, ExitStatus.BAD_PATH, "lower is not a directory", file);
  }

  @Test
  void mount_upperInsideLower_exits3() throws IOException {
    Path nested = Files.createDirectory(machine.lower.resolve("upper"));
    assertRefused(mount(nested, machine.lower, machine.mountPoint), ExitStatus.BAD_PATH,
        "upper is inside the lower", nested);
  }

  @Test
  void mount_lowerInsideUpper_exits3() throws IOException {
    Path nested = Files.createDirectory(machine.root.resolve("other-upper"));
    Path lowerInside = Files.createDirectory(nested.resolve("lower"));
    TestMachine.Result result = mount(nested, lowerInside, machine.mountPoint);
    assertEquals(ExitStatus.BAD_PATH.code(), result.exitCode(), result.err());
    assertTrue(result.err().startsWith("unionfs-java: lower is inside the upper"), result.err());
    assertTrue(result.err().strip().endsWith(": " + lowerInside), result.err());
    assertEquals(List.of("lower"), TestMachine.listing(nested), "upper untouched");
  }

  @Test
  void mount_upperSameAsLower_exits3() {
    assertRefused(mount(machine.upper, machine.upper, machine.mountPoint), ExitStatus.BAD_PATH,
        "upper and lower are the same directory", machine.upper);
  }

  @Test
  void mount_upperIsSymlinkIntoLower_comparesRealPaths_exits3() throws IOException {
    Path inside = Files.createDirectory(machine.lower.resolve("hidden"));
    Path link = Files.createSymbolicLink(machine.root.resolve("link"), inside);
    assertRefused(mount(link, machine.lower, machine.mountPoint), ExitStatus.BAD_PATH,
        "upper is inside the lower", inside);
  }

  @Test
  void mount_missingMountPoint_exits3() {
    Path missing = machine.root.resolve("nope");
    assertRefused(mount(machine.upper, machine.lower, missing), ExitStatus.BAD_PATH,
        "mount point does not exist", missing);
  }

  @Test
  void mount_mountPointIsAFile_exits3() throws IOException {
    Path file = Files.createFile(machine.root.resolve("file"));
    assertRefused(mount(machine.upper, machine.lower, file), ExitStatus.BAD_PATH,
        "mount point is not a directory", file);
  }

  @Test
  void mount_mountPointInsideUpper_exits3() throws IOException {
    Path nested = Files.createDirectory(machine.root.resolve("other-upper"));
    Path inside = Files.createDirectory(nested.resolve("mnt"));
    TestMachine.Result result = mount(nested, machine.lower, inside);
    assertEquals(ExitStatus.BAD_PATH.code(), result.exitCode(), result.err());
    assertTrue(result.err().startsWith("unionfs-java: mount point is inside the upper"),
        result.err());
    assertTrue(result.err().strip().endsWith(": " + inside), result.err());
    assertEquals(List.of("mnt"), TestMachine.listing(nested), "upper untouched");
  }

  @Test
  void mount_mountPointInsideLower_exits3() throws IOException {
    Path inside = Files.createDirectory(machine.lower.resolve("mnt"));
    assertRefused(mount(machine.upper, machine.lower, inside), ExitStatus.BAD_PATH,
        "mount point is inside the lower", inside);
  }

  @Test
  void mount_lowerInsideMountPoint_exits3() throws IOException {
    Path inside = Files.createDirectory(machine.mountPoint.resolve("lower"));
    assertRefused(mount(machine.upper, inside, machine.mountPoint), ExitStatus.BAD_PATH,
        "lower is inside the mount point", inside);
  }

  @Test
  void mount_upperInsideMountPoint_exits3() throws IOException {
    Path inside = Files.createDirectory(machine.mountPoint.resolve("upper"));
    TestMachine.Result result = mount(inside, machine.lower, machine.mountPoint);
    assertEquals(ExitStatus.BAD_PATH.code(), result.exitCode(), result.err());
    assertTrue(result.err().startsWith("unionfs-java: upper is inside the mount point"),
        result.err());
    assertEquals(List.of(), TestMachine.listing(inside), "upper untouched");
  }

  @Test
  void mount_mountPointAlreadyMounted_exits3() throws IOException {
    machine.addMount(machine.mountPoint, "tmpfs");
    assertRefused(mount(machine.upper, machine.lower, machine.mountPoint), ExitStatus.BAD_PATH,
        "mount point is already mounted (tmpfs test)", machine.mountPoint);
  }

  @Test
  void mount_mountPointWithSpaceAlreadyAUnion_exits3() throws IOException {
    Path spaced = Files.createDirectory(machine.root.resolve("my union"));
    machine.addMount(spaced, MountTable.FS_TYPE);
    assertRefused(mount(machine.upper, machine.lower, spaced), ExitStatus.BAD_PATH,
        "mount point is already mounted (a unionfs-java union; unmount it first: unionfs-java"
            + " umount " + spaced + ")", spaced);
  }

  @Test
  void mount_deadMountOfAnotherKind_exits3SayingHowToDetach() throws IOException {
    machine.addMount(machine.mountPoint, "fuse.sshfs");
    machine.disconnected.add(machine.mountPoint);
    assertRefused(mount(machine.upper, machine.lower, machine.mountPoint), ExitStatus.BAD_PATH,
        "mount point is a dead fuse.sshfs mount (its server has ended; detach it with: umount -l "
            + machine.mountPoint + ", or as its owner fusermount3 -u -z " + machine.mountPoint
            + ")", machine.mountPoint);
  }

  @Test
  void mount_upperInsideADeadMount_exits3NamingIt() throws IOException {
    Path dead = Files.createDirectory(machine.root.resolve("dead"));
    Path upper = dead.resolve("upper");
    machine.addMount(dead, "fuse.sshfs");
    machine.disconnected.add(upper);
    assertRefused(mount(upper, machine.lower, machine.mountPoint), ExitStatus.BAD_PATH,
        "upper is inside the dead fuse.sshfs mount at " + dead + " (its server has ended;", upper);
  }

  @Test
  void mount_anotherUsersMountThatCannotBeEntered_exits3SayingSo() throws IOException {
    Path hidden = machine.root.resolve("users-mnt"); // stands for one that answers EACCES
    machine.addMount(hidden, MountTable.FS_TYPE);
    assertRefused(mount(machine.upper, machine.lower, hidden), ExitStatus.BAD_PATH,
        "mount point is a fuse.unionfs-java mount that this user cannot enter (another user's,"
            + " without allow_other; if its server has ended, detach it with: umount -l " + hidden
            + ")", hidden);
  }

  @Test
  void mount_deadUnionButAnotherMistake_refusesWithoutDetaching() throws IOException {
    machine.addMount(machine.mountPoint, MountTable.FS_TYPE);
    machine.disconnected.add(machine.mountPoint);
    Path missing = machine.root.resolve("nope");
    assertRefused(mount(machine.upper, missing, machine.mountPoint), ExitStatus.BAD_PATH,
        "lower does not exist", missing);
    assertTrue(Files.readString(machine.mountInfo).contains(" " + machine.mountPoint + " "),
        "the dead union is still in the (fake) mount table");
  }

  @Test
  void mount_workDirInsideLower_exits3() {
    Path work = machine.lower.resolve("work");
    TestMachine.Result result = machine.run("mount", "--foreground",
        "--upper", machine.upper.toString(), "--lower", machine.lower.toString(),
        "--workdir", work.toString(), machine.mountPoint.toString());
    assertRefused(result, ExitStatus.BAD_PATH, "work directory is inside the lower", work);
    assertFalse(Files.exists(work));
  }

  @Test
  void mount_upperHeldByAnotherUnion_exits3NamingIt() throws Exception {
    try (UpperLock other = UpperLock.acquire(machine.upper, null, Path.of("/mnt/other"))) {
      List<String> before = TestMachine.listing(machine.upper.resolve(".unionfs-java"));
      TestMachine.Result result = mount(machine.upper, machine.lower, machine.mountPoint);
      assertEquals(ExitStatus.BAD_PATH.code(), result.exitCode(), result.err());
      assertEquals("unionfs-java: upper is in use by the union mounted at /mnt/other (pid "
          + ProcessHandle.current().pid() + "; unmount it first: unionfs-java umount /mnt/other): "
          + machine.upper + "\n", result.err());
      assertEquals(List.of(), machine.mountCalls, "never mounted");
      assertEquals(before, TestMachine.listing(machine.upper.resolve(".unionfs-java")));
    }
  }

  @Test
  void mount_workDirHeldByAnotherUnion_exits3() throws Exception {
    Path otherUpper = Files.createDirectory(machine.root.resolve("other-upper"));
    Path work = machine.root.resolve("shared-work");
    try (UpperLock other = UpperLock.acquire(otherUpper, work, Path.of("/mnt/other"))) {
      TestMachine.Result result = machine.run("mount", "--foreground",
          "--upper", machine.upper.toString(), "--lower", machine.lower.toString(),
          "--workdir", work.toString(), machine.mountPoint.toString());
      assertEquals(ExitStatus.BAD_PATH.code(), result.exitCode(), result.err());
      assertTrue(result.err().startsWith("unionfs-java: work directory is in use by the union"
          + " mounted at /mnt/other"), result.err());
      assertEquals(List.of(), machine.mountCalls, "never mounted");
      assertEquals(List.of(), TestMachine.listing(machine.upper), "upper untouched");
    }
  }

  @Test
  void mount_noFuseDevice_exits4() throws IOException {
    Files.delete(machine.devFuse);
    assertRefused(mount(machine.upper, machine.lower, machine.mountPoint),
        ExitStatus.ENVIRONMENT, "no FUSE device", machine.devFuse);
  }

  @Test
  void mount_noLibfuse3_exits4() throws IOException {
    Files.delete(machine.libDir.resolve("libfuse3.so.3"));
    assertRefused(mount(machine.upper, machine.lower, machine.mountPoint),
        ExitStatus.ENVIRONMENT, "libfuse3.so.3 is not installed (apt-get install libfuse3-3)",
        Path.of("libfuse3.so.3"));
  }

  @Test
  void mount_libfuse2Selected_needsLibfuse2() throws IOException {
    Tuning d = Tuning.defaults();
    machine.tuning = new Tuning(FuseLibrary.LIBFUSE2, d.cacheBytes(), d.posixAcl(),
        d.readdirplus(), d.cacheDir(), d.noOpendir(), d.splice(), d.workerPool(), d.readers(),
        d.maxThreads(), d.startupOverlap(), d.crashPoints());
    Files.delete(machine.libDir.resolve("libfuse.so.2"));
    assertRefused(mount(machine.upper, machine.lower, machine.mountPoint),
        ExitStatus.ENVIRONMENT, "libfuse.so.2 is not installed (apt-get install libfuse2)",
        Path.of("libfuse.so.2"));
  }

  @Test
  void mount_allChecksPass_callsMountWithRealPaths() throws IOException {
    Path link = Files.createSymbolicLink(machine.root.resolve("lower-link"), machine.lower);
    TestMachine.Result result = mount(machine.upper, link, machine.mountPoint);
    assertEquals(ExitStatus.MOUNT_FAILED.code(), result.exitCode(), "the fake mount fails");
    assertEquals(1, machine.mountCalls.size());
    assertEquals(List.of(machine.lower), machine.mountCalls.get(0).lowers());
    assertEquals(List.of(), TestMachine.listing(machine.upper));
  }
}
