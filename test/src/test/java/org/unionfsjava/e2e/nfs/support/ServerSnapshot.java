package org.unionfsjava.e2e.nfs.support;

import java.time.Duration;
import org.unionfsjava.e2e.support.Processes;

/**
 * A fingerprint of a lower's tree that does not need to read xattrs (for lowers whose xattrs
 * cannot be read): every path with its type, mode, owner, size, mtime, ctime and inode, and a hash
 * of every regular file. ctime moves on any change of data, metadata or xattrs, so an equal
 * fingerprint means nothing was written.
 */
public final class ServerSnapshot {
  private ServerSnapshot() {}

  public static String of(java.nio.file.Path dir) {
    String meta = Processes.run(Duration.ofSeconds(60), "find", dir.toString(), "-printf",
        "%P %y %m %U:%G %s %T@ %C@ %i\\n").requireSuccess("find -printf").stdout();
    String sums = Processes.sh(Duration.ofSeconds(60), "cd '" + dir + "' && find . -type f -print0 | sort -z | xargs -0 -r sha256sum")
        .requireSuccess("sha256sum").stdout();
    return meta.lines().sorted().reduce("", (a, b) -> a + b + "\n") + sums;
  }
}
