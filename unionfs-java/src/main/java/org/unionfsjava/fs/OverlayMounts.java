package org.unionfsjava.fs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The kernel overlayfs mounts of this mount namespace, as /proc/self/mountinfo lists them, and
 * which of them uses a given directory as its upperdir or workdir.
 *
 * <p>The kernel shows the directories as they were given to mount(2): a relative one (mount run
 * in the directory above, {@code -o upperdir=u}) cannot be told apart from a directory of the same
 * name here and is not matched. overlayfs octal-escapes comma, space, tab, newline and backslash
 * in an option value ({@code seq_show_option}), the mount table the same but the comma in the
 * mount point; both are undone here.
 */
final class OverlayMounts {
  private static final Logger LOG = LogManager.getLogger();
  private static final Path MOUNT_INFO = Path.of("/proc/self/mountinfo");

  /**
   * One overlay mount's use of a directory.
   *
   * @param mountPoint where the overlay is mounted
   * @param role {@code upperdir} or {@code workdir}
   */
  record Use(Path mountPoint, String role) {}

  private OverlayMounts() {}

  /** The overlay mount that has {@code dir} as its upperdir or workdir, if any. */
  static Optional<Use> using(Path dir) {
    List<String> lines;
    try {
      lines = readLines(MOUNT_INFO);
    } catch (IOException e) {
      LOG.warn("cannot read {} to look for overlays using {}: {}", MOUNT_INFO, dir, e.getMessage());
      return Optional.empty();
    }
    return using(dir, lines);
  }

  /** As {@link #using(Path)} for these mountinfo lines (read as ISO-8859-1: one char a byte). */
  static Optional<Use> using(Path dir, List<String> mountInfoLines) {
    for (String line : mountInfoLines) {
      String[] fields = line.split(" ");
      int dash = List.of(fields).indexOf("-");
      if (dash < 6 || dash + 3 >= fields.length || !"overlay".equals(fields[dash + 1])) {
        continue;
      }
      for (String option : fields[dash + 3].split(",")) {
        int eq = option.indexOf('=');
        String name = eq < 0 ? option : option.substring(0, eq);
        if (eq > 0 && (name.equals("upperdir") || name.equals("workdir"))) {
          Path used = Path.of(unescape(option.substring(eq + 1)));
          if (used.isAbsolute() && isSameDirectory(dir, used)) {
            return Optional.of(new Use(Path.of(unescape(fields[4])), name));
          }
        }
      }
    }
    return Optional.empty();
  }

  private static boolean isSameDirectory(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (IOException | SecurityException e) {
      return false; // gone, or hidden from us: not the directory we are about to use
    }
  }

  private static List<String> readLines(Path file) throws IOException {
    String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    return new ArrayList<>(List.of(text.split("\n")));
  }

  /**
   * Undoes the octal escapes ({@code \054} for a comma, {@code \040} for a space, ...) of a
   * field read one char a byte, and decodes the bytes as the platform's (UTF-8) text.
   */
  static String unescape(String field) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && isOctal(field, i + 1)) {
        out.write(Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }
}
