package org.unionfsjava.lifecycle;

import java.io.IOException;
import java.nio.file.Path;
import org.unionfsjava.fs.nativeio.NativeFile;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.WhiteoutFormat;

/**
 * Gives a new object the attributes of another, in the order a copy needs: owner, then mode
 * (chown clears set-id bits), then the user-visible xattrs (never the union's own), then atime
 * and mtime to the nanosecond. An ordinary user cannot give objects to others: the owner is then
 * kept where it is the user's and counted where it is not.
 */
final class Attributes {
  private final BranchIo io;
  private final WhiteoutFormat format;
  private final boolean root = NativeFile.geteuid() == 0;
  private final int euid = NativeFile.geteuid();
  private long ownersNotKept;
  private long xattrsNotKept;

  Attributes(BranchIo io, WhiteoutFormat format) {
    this.io = io;
    this.format = format;
  }

  /** Copies the attributes {@code st} of {@code from} onto {@code to}. */
  void copy(Path from, Stat st, Path to) throws IOException {
    owner(st, to);
    if (st.kind() != FileKind.SYMLINK) {
      io.chmod(to, st.permissions());
    }
    xattrsNotKept += Xattrs.copy(io, format, from, to);
    io.utimens(to, st.atimeNs(), st.mtimeNs());
  }

  private void owner(Stat st, Path to) throws IOException {
    if (!root && st.uid() == euid) {
      try {
        io.lchown(to, -1, st.gid());
      } catch (UnionException e) {
        if (e.errno() != Errno.EPERM) {
          throw e;
        }
        ownersNotKept++;
      }
      return;
    }
    try {
      io.lchown(to, st.uid(), st.gid());
    } catch (UnionException e) {
      if (root || e.errno() != Errno.EPERM) {
        throw e;
      }
      ownersNotKept++;
    }
  }

  /** How many objects could not be given their owner (not root). */
  long ownersNotKept() {
    return ownersNotKept;
  }

  /** How many xattrs the target refused (trusted.* as an ordinary user, a filesystem without xattrs). */
  long xattrsNotKept() {
    return xattrsNotKept;
  }
}
