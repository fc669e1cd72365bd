package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Reading {@code /proc/self/mountinfo} as bytes. */
@DisplayName("MountTable: the one mountinfo parser, byte-safe")
class MountTableTest {

  private static final String LINES = String.join("\n",
      "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro",
      "40 22 0:40 / /mnt/my\\040union rw,nosuid,nodev,relatime shared:20 - fuse.unionfs-java"
          + " /srv/u:/srv/l rw,user_id=0,group_id=0",
      "41 22 0:41 / /srv rw - tmpfs tmpfs rw",
      "42 41 0:42 / /srv rw master:3 - fuse.unionfs-java unionfs-java rw",
      "garbage line",
      "43 22 0:43 / /short - ext4",
      "");

  private static MountTable parse(String text) {
    return MountTable.parse(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("a mount point with a space is found by its real name")
  void parse_unescapesMountPointWithSpace() {
    MountTable.Entry entry = parse(LINES).mountAt(Path.of("/mnt/my union")).orElseThrow();
    assertEquals("fuse.unionfs-java", entry.fsType());
    assertEquals("/srv/u:/srv/l", entry.source());
    assertTrue(entry.isUnion());
    assertEquals(List.of("rw", "user_id=0", "group_id=0"), entry.superOptions());
  }

  @Test
  @DisplayName("of mounts stacked at one path the topmost answers; a path below a mount is none")
  void mountAt_stackedMounts_answersTheTopmost() {
    MountTable table = parse(LINES);
    assertTrue(table.mountAt(Path.of("/srv")).orElseThrow().isUnion());
    assertEquals("ext4", table.mountAt(Path.of("/")).orElseThrow().fsType());
    assertTrue(table.mountAt(Path.of("/srv/sub")).isEmpty());
  }

  @Test
  @DisplayName("lines without the fields are skipped, the others kept")
  void parse_skipsLinesItCannotRead() {
    assertEquals(4, parse(LINES).entries().size());
  }

  @Test
  @DisplayName("space, tab, newline and backslash escapes become their bytes; a lone backslash stays")
  void unescape_octalAndBackslash() {
    assertArrayEquals("a b\tc\nd\\e".getBytes(StandardCharsets.US_ASCII),
        MountTable.unescape("a\\040b\\011c\\012d\\134e".getBytes(StandardCharsets.US_ASCII)));
    assertArrayEquals("x\\9\\0".getBytes(StandardCharsets.US_ASCII),
        MountTable.unescape("x\\9\\0".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  @DisplayName("a name that is not UTF-8 keeps its bytes and hides no other mount")
  void parse_latin1Name_bytesKept() {
    ByteArrayOutputStream table = new ByteArrayOutputStream();
    table.writeBytes("50 22 0:50 / /mnt/caf".getBytes(StandardCharsets.US_ASCII));
    table.write(0xE9); // Latin-1 e-acute: not UTF-8
    table.writeBytes((" rw - fuse.unionfs-java /srv/\\351:/l rw\n"
        + "51 22 0:51 / /mnt/caf\u00e9\\011tab rw - tmpfs tmpfs rw\n").getBytes(StandardCharsets.UTF_8));
    MountTable t = MountTable.parse(table.toByteArray());

    assertEquals(2, t.entries().size());
    MountTable.Entry latin1 = t.entries().get(0);
    assertArrayEquals(new byte[] {'/', 'm', 'n', 't', '/', 'c', 'a', 'f', (byte) 0xE9},
        latin1.mountPointBytes());
    assertArrayEquals(new byte[] {'/', 's', 'r', 'v', '/', (byte) 0xE9, ':', '/', 'l'},
        latin1.sourceBytes());
    assertTrue(latin1.isUnion());
    assertFalse(latin1.isAt(Path.of("/mnt/caf\u00e9")), "the UTF-8 name is another name");
    assertTrue(t.mountAt(Path.of("/mnt/caf\u00e9\ttab")).isPresent(), "UTF-8 and a tab");
  }

  @Test
  @DisplayName("escaped commas in an option value stay inside it")
  void superOptions_escapedCommaInValue() {
    MountTable t = parse("47 27 0:40 / /mnt/o rw - overlay overlay"
        + " rw,lowerdir=/l,upperdir=/a\\054\\040b,workdir=/w\n");
    assertEquals(List.of("rw", "lowerdir=/l", "upperdir=/a, b", "workdir=/w"),
        t.entries().get(0).superOptions());
  }
}
