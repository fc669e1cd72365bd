package org.unionfsjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading {@code /proc/self/mountinfo}. */
class MountTableTest {

  private static final List<String> LINES = List.of(
      "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro",
      "40 22 0:40 / /mnt/my\\040union rw,nosuid,nodev,relatime shared:20 - fuse.unionfs-java"
          + " unionfs-java rw,user_id=0,group_id=0",
      "41 22 0:41 / /srv rw - tmpfs tmpfs rw",
      "42 41 0:42 / /srv rw master:3 - fuse.unionfs-java unionfs-java rw",
      "garbage line");

  @Test
  void parse_unescapesMountPointWithSpace() {
    MountTable table = MountTable.parse(LINES);
    MountTable.Entry entry = table.mountAt(Path.of("/mnt/my union")).orElseThrow();
    assertEquals("fuse.unionfs-java", entry.fsType());
    assertTrue(entry.isUnion());
  }

  @Test
  void mountAt_stackedMounts_answersTheTopmost() {
    MountTable table = MountTable.parse(LINES);
    assertTrue(table.mountAt(Path.of("/srv")).orElseThrow().isUnion());
    assertEquals("ext4", table.mountAt(Path.of("/")).orElseThrow().fsType());
    assertTrue(table.mountAt(Path.of("/srv/sub")).isEmpty());
  }

  @Test
  void parse_skipsLinesItCannotRead() {
    assertEquals(4, MountTable.parse(LINES).entries().size());
  }

  @Test
  void unescape_octalAndBackslash() {
    assertEquals("a b\tc\\d", MountTable.unescape("a\\040b\\011c\\134d"));
    assertEquals("caf\u00e9", MountTable.unescape("caf\u00e9"));
    assertEquals("x\\9", MountTable.unescape("x\\9"));
  }
}
