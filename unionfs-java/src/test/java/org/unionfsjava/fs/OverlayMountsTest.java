package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which kernel overlay uses a directory, from mountinfo lines as this kernel writes them. */
@DisplayName("OverlayMounts: upperdir and workdir of kernel overlays in mountinfo")
class OverlayMountsTest {

  @TempDir Path tmp;

  private static MountTable table(List<String> lines) {
    return MountTable.parse(String.join("\n", lines).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static String overlayLine(String mountPoint, String superOptions) {
    return "47 27 0:40 / " + mountPoint + " rw,relatime - overlay overlay rw," + superOptions;
  }

  @Test
  @DisplayName("an absolute upperdir or workdir names the overlay's mount point and the role")
  void using_absoluteDirs_found() throws Exception {
    Path u = Files.createDirectory(tmp.resolve("u"));
    Path w = Files.createDirectory(tmp.resolve("w"));
    Path other = Files.createDirectory(tmp.resolve("other"));
    List<String> lines = List.of(
        "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
        overlayLine("/mnt/o", "lowerdir=/l,upperdir=" + u + ",workdir=" + w + ",uuid=on"));
    assertEquals(Optional.of(new OverlayMounts.Use(Path.of("/mnt/o"), "upperdir")),
        OverlayMounts.using(u, table(lines)));
    assertEquals(Optional.of(new OverlayMounts.Use(Path.of("/mnt/o"), "workdir")),
        OverlayMounts.using(w, table(lines)));
    assertEquals(Optional.empty(), OverlayMounts.using(other, table(lines)));
  }

  @Test
  @DisplayName("escaped commas and spaces in the directory and the mount point are undone")
  void using_escapedNames_found() throws Exception {
    Path u = Files.createDirectory(tmp.resolve("a, b"));
    String escaped = u.toString().replace(",", "\\054").replace(" ", "\\040");
    List<String> lines = List.of(overlayLine("/mnt/my\\040o",
        "lowerdir=/l,upperdir=" + escaped + ",workdir=/w"));
    assertEquals(Optional.of(new OverlayMounts.Use(Path.of("/mnt/my o"), "upperdir")),
        OverlayMounts.using(u, table(lines)));
  }

  @Test
  @DisplayName("a relative upperdir (as mount -o upperdir=u shows it) is not matched")
  void using_relativeDir_notMatched() throws Exception {
    Path u = Files.createDirectory(Path.of("").toAbsolutePath().resolve("target")
        .resolve("overlay-mounts-test-u"));
    try {
      List<String> lines = List.of(overlayLine("/mnt/o",
          "lowerdir=l,upperdir=target/overlay-mounts-test-u,workdir=w"));
      assertEquals(Optional.empty(), OverlayMounts.using(u, table(lines)));
    } finally {
      Files.delete(u);
    }
  }

  @Test
  @DisplayName("other filesystem types with an upperdir-like option are ignored")
  void using_otherType_ignored() throws Exception {
    Path u = Files.createDirectory(tmp.resolve("u"));
    List<String> lines = List.of("47 27 0:40 / /mnt/f rw - fuse.x x rw,upperdir=" + u);
    assertEquals(Optional.empty(), OverlayMounts.using(u, table(lines)));
  }
}
