package org.unionfsjava.e2e.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.e2e.support.CliMount;

/**
 * Issue 17: a union and its server say what they are. The mount table's source is the branches,
 * upper first ({@code UPPER:LOWER1:LOWER2}, as mergerfs shows its branches), with the kernel's
 * octal escapes for space and backslash and a comma kept (libfuse's option parser needs it
 * escaped); the server's command line in ps is {@code unionfs-java MOUNTPOINT upper=... lower=...}
 * and its name {@code unionfs-java}, not {@code java}.
 */
@Timeout(120)
class IdentityTest {

  @TempDir
  Path dir;

  @Test
  void mountTableAndProcessTitle_nameTheBranchesAndTheMountPoint() throws Exception {
    Path upper = Files.createDirectories(dir.resolve("upper"));
    Path spaced = Files.createDirectories(dir.resolve("low one"));
    Path comma = Files.createDirectories(dir.resolve("a,b"));
    Path backslash = Files.createDirectories(dir.resolve("c\\d"));
    Path unicode = Files.createDirectories(dir.resolve("br\u00e4nch-\u6f22")); // UTF-8 bytes, not one per char
    Path union = Files.createDirectories(dir.resolve("union"));
    try (CliMount mount = CliMount.start(union, dir.resolve("server.log"), List.of(
        "--upper", upper.toString(), "--lower", spaced.toString(), "--lower", comma.toString(),
        "--lower", backslash.toString(), "--lower", unicode.toString()))) {
      assertTrue(mount.awaitMounted(Duration.ofSeconds(60)), mount.output());

      String line = mountInfoLine(union);
      String afterDash = line.substring(line.indexOf(" - ") + 3);
      String[] fields = afterDash.split(" ");
      assertEquals("fuse.unionfs-java", fields[0], line);
      assertEquals(upper + ":" + dir + "/low\\040one:" + dir + "/a,b:" + dir + "/c\\134d:" + unicode,
          fields[1], line);

      String expected = "unionfs-java " + union + " upper=" + upper + " lower=" + spaced + ":"
          + comma + ":" + backslash + ":" + unicode;
      String title = awaitTitle(mount.pid(), expected);
      assertEquals(expected, title);
      assertEquals("unionfs-java\n", Files.readString(Path.of("/proc/" + mount.pid() + "/comm")));
    }
  }

  /** The server sets its title once the union is live: wait for it (bounded). */
  private static String awaitTitle(long pid, String expected) throws Exception {
    String title = "";
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      byte[] cmdline = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
      title = new String(cmdline, StandardCharsets.UTF_8).replaceAll("\0+$", "").replace('\0', ' ');
      if (title.equals(expected)) {
        break;
      }
      Thread.sleep(20);
    }
    return title;
  }

  private static String mountInfoLine(Path mountPoint) throws IOException {
    String found = null;
    byte[] table = Files.readAllBytes(Path.of("/proc/self/mountinfo"));
    for (String line : new String(table, java.nio.charset.StandardCharsets.UTF_8).lines().toList()) {
      String[] fields = line.split(" ");
      if (fields.length > 4 && fields[4].equals(mountPoint.toString())) {
        found = line;
      }
    }
    assertTrue(found != null, "nothing mounted at " + mountPoint);
    return found;
  }
}
