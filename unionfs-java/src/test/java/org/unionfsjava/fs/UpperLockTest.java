package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upper's lock on real directories: flock(2) conflicts between two open file descriptions
 * also inside one process, so a second acquire here stands for a second union.
 */
@DisplayName("UpperLock: one holder of an upper and its work directory at a time")
class UpperLockTest {

  @TempDir Path tmp;

  private static long pid() {
    return ProcessHandle.current().pid();
  }

  @Test
  @DisplayName("a second acquire of the upper fails naming the holder's mount point and pid")
  void acquire_upperHeld_namesHolder() throws Exception {
    Path upper = Files.createDirectory(tmp.resolve("upper"));
    try (UpperLock held = UpperLock.acquire(upper, null, Path.of("/mnt/first"))) {
      UpperInUseException e = assertThrows(UpperInUseException.class,
          () -> UpperLock.acquire(upper, null, Path.of("/mnt/second")));
      assertEquals(upper.toString(), e.path());
      assertEquals("upper is in use by the union mounted at /mnt/first (pid " + pid()
          + "; unmount it first: unionfs-java umount /mnt/first)", e.reason());
      assertThrows(UpperInUseException.class, () -> UpperLock.requireFree(upper, null));
    }
    UpperLock.acquire(upper, null, Path.of("/mnt/second")).close();
  }

  @Test
  @DisplayName("a shared work directory is refused for another upper; it names the holder too")
  void acquire_workDirHeldByOtherUpper_refused() throws Exception {
    Path upper1 = Files.createDirectory(tmp.resolve("upper1"));
    Path upper2 = Files.createDirectory(tmp.resolve("upper2"));
    Path work = tmp.resolve("work");
    try (UpperLock held = UpperLock.acquire(upper1, work, Path.of("/mnt/a"))) {
      UpperInUseException e = assertThrows(UpperInUseException.class,
          () -> UpperLock.acquire(upper2, work, Path.of("/mnt/b")));
      assertEquals(work.toString(), e.path());
      assertTrue(e.reason().startsWith("work directory is in use by the union mounted at /mnt/a"),
          e.reason());
    }
    UpperLock.acquire(upper2, work, Path.of("/mnt/b")).close();
  }

  @Test
  @DisplayName("acquire creates a missing work directory (0700) and records the holder in it")
  void acquire_recordsHolder() throws Exception {
    Path upper = Files.createDirectory(tmp.resolve("upper"));
    try (UpperLock held = UpperLock.acquire(upper, null, Path.of("/mnt/x"))) {
      Path work = upper.resolve(UnionMount.DEFAULT_WORKDIR_NAME);
      assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
          Files.getPosixFilePermissions(work)));
      String holder = Files.readString(work.resolve(UpperLock.HOLDER_FILE));
      assertTrue(holder.contains("pid=" + pid() + "\n"), holder);
      assertTrue(holder.contains("mount-point=/mnt/x\n"), holder);
      assertEquals(List.of(UpperLock.HOLDER_FILE), names(work), "only the holder file");
    }
  }

  @Test
  @DisplayName("an offline tool's lock names its command instead of a mount point")
  void acquire_withoutMountPoint_namesCommand() throws Exception {
    Path upper = Files.createDirectory(tmp.resolve("upper"));
    try (UpperLock held = UpperLock.acquire(upper, null)) {
      UpperInUseException e = assertThrows(UpperInUseException.class,
          () -> UpperLock.acquire(upper, null, Path.of("/mnt/y")));
      assertTrue(e.reason().startsWith("upper is in use by unionfs-java pid " + pid() + " ("),
          e.reason());
      assertTrue(e.reason().endsWith("; wait until it ends)"), e.reason());
    }
  }

  @Test
  @DisplayName("requireFree changes nothing: no work directory, no holder file")
  void requireFree_free_createsNothing() throws Exception {
    Path upper = Files.createDirectory(tmp.resolve("upper"));
    UpperLock.requireFree(upper, null);
    UpperLock.requireFree(upper, tmp.resolve("work"));
    assertEquals(List.of(), names(upper));
    assertFalse(Files.exists(tmp.resolve("work")));
    UpperLock.acquire(upper, null, Path.of("/mnt/z")).close();
  }

  @Test
  @DisplayName("a lock whose holder did not record itself is still refused, vaguely")
  void acquire_holderFileMissing_refusedAnyway() throws Exception {
    Path upper = Files.createDirectory(tmp.resolve("upper"));
    try (UpperLock held = UpperLock.acquire(upper, null, Path.of("/mnt/x"))) {
      Files.delete(upper.resolve(UnionMount.DEFAULT_WORKDIR_NAME).resolve(UpperLock.HOLDER_FILE));
      UpperInUseException e = assertThrows(UpperInUseException.class,
          () -> UpperLock.acquire(upper, null, Path.of("/mnt/y")));
      assertTrue(e.reason().startsWith("upper is in use by another unionfs-java process"),
          e.reason());
    }
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
