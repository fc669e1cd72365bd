package org.unionfsjava.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * mount point; {@link MountTable} undoes both.
 */
final class OverlayMounts {
  private static final Logger LOG = LogManager.getLogger();

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
    MountTable table;
    try {
      table = MountTable.read(MountTable.SELF);
    } catch (IOException e) {
      LOG.warn("cannot read {} to look for overlays using {}: {}", MountTable.SELF, dir, e.getMessage());
      return Optional.empty();
    }
    return using(dir, table);
  }

  /** As {@link #using(Path)} in this mount table. */
  static Optional<Use> using(Path dir, MountTable table) {
    for (MountTable.Entry mount : table.entries()) {
      if (!"overlay".equals(mount.fsType())) {
        continue;
      }
      for (String option : mount.superOptions()) {
        int eq = option.indexOf('=');
        String name = eq < 0 ? option : option.substring(0, eq);
        if (eq > 0 && (name.equals("upperdir") || name.equals("workdir"))) {
          Path used = Path.of(option.substring(eq + 1));
          if (used.isAbsolute() && isSameDirectory(dir, used)) {
            return Optional.of(new Use(mount.mountPoint(), name));
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
}
