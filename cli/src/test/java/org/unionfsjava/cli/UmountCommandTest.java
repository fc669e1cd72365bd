package org.unionfsjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code unionfs-java umount}: what it refuses and which commands it would run. */
class UmountCommandTest {

  @TempDir Path temp;
  private TestMachine machine;

  @BeforeEach
  void setUp() throws IOException {
    machine = new TestMachine(temp);
  }

  @Test
  void umount_notAMountPoint_exits3() {
    TestMachine.Result result = machine.run("umount", machine.mountPoint.toString());
    assertEquals(ExitStatus.BAD_PATH.code(), result.exitCode());
    assertEquals("unionfs-java: not a mount point: " + machine.mountPoint + "\n", result.err());
  }

  @Test
  void umount_otherFilesystem_exits3() throws IOException {
    machine.addMount(machine.mountPoint, "fuse.sshfs");
    TestMachine.Result result = machine.run("umount", "--lazy", machine.mountPoint.toString());
    assertEquals(ExitStatus.BAD_PATH.code(), result.exitCode());
    assertEquals("unionfs-java: not a unionfs-java mount (it is fuse.sshfs): "
        + machine.mountPoint + "\n", result.err());
  }

  @Test
  void umount_noMountPoint_exits2() {
    assertEquals(ExitStatus.USAGE.code(), machine.run("umount").exitCode());
  }

  @Test
  void commandsFor_root_triesUmountFirst() {
    Path mnt = Path.of("/mnt/u");
    assertEquals(List.of(List.of("umount", "/mnt/u"), List.of("fusermount3", "-u", "/mnt/u"),
        List.of("fusermount", "-u", "/mnt/u")), Unmounter.commandsFor(mnt, true, false));
    assertEquals(List.of(List.of("umount", "-l", "/mnt/u"),
        List.of("fusermount3", "-u", "-z", "/mnt/u"), List.of("fusermount", "-u", "-z", "/mnt/u")),
        Unmounter.commandsFor(mnt, true, true));
  }

  @Test
  void commandsFor_user_usesFusermountOnly() {
    assertEquals(List.of(List.of("fusermount3", "-u", "/m"), List.of("fusermount", "-u", "/m")),
        Unmounter.commandsFor(Path.of("/m"), false, false));
  }

  @Test
  void mountTablePath_resolvesSymlinks() throws IOException {
    Path link = java.nio.file.Files.createSymbolicLink(machine.root.resolve("ln"),
        machine.mountPoint);
    assertEquals(machine.mountPoint, Unmounter.mountTablePath(link));
    assertTrue(Unmounter.mountTablePath(Path.of("relative")).isAbsolute());
  }
}
