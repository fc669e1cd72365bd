package org.unionfsjava.fs;

import java.nio.file.Path;
import java.util.List;
import org.unionfsjava.model.NameCharset;

/**
 * What a union shows as its source in the mount table (libfuse's {@code fsname}): its branches,
 * upper first, then the lowers top to bottom, joined by {@code :} as mergerfs shows its branches,
 * e.g. {@code /srv/upper:/srv/site:/nfs/base}. The kernel escapes space, tab, newline and
 * backslash in /proc/self/mountinfo as octal ({@code \040}); a path holding {@code :} makes the
 * list ambiguous to a reader, as with mergerfs. The type stays {@code fuse.unionfs-java}.
 */
public final class MountSource {

  private MountSource() {
  }

  /**
   * The source: the branches joined by {@code :}, as a name string (one char per byte, {@link
   * NameCharset}), so that the mount table holds the branches' own bytes whatever their encoding.
   * The paths are the command line's ({@link NameCharset#fromPlatform} converts them).
   */
  public static String of(Path upper, List<Path> lowers) {
    StringBuilder source = new StringBuilder(NameCharset.fromPlatform(upper).toString());
    for (Path lower : lowers) {
      source.append(':').append(NameCharset.fromPlatform(lower));
    }
    return source.toString();
  }

  /**
   * The {@code fsname=} mount option for libfuse (and fusermount3) that makes this source: a
   * comma would end the option and a backslash starts an escape there, so both are escaped.
   */
  public static String fsnameOption(Path upper, List<Path> lowers) {
    return "fsname=" + of(upper, lowers).replace("\\", "\\\\").replace(",", "\\,");
  }
}
