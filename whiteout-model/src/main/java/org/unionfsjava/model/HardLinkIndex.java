package org.unionfsjava.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The index of copied-up hard links, kept in the work directory (kernel overlayfs's
 * {@code index=on} is the model). A lower regular file with more than one name is copied up once,
 * into {@code index/BRANCH-INO}; every name that is copied up afterwards is a hard link to that
 * copy, and names still in the lower read it too, so all names keep showing the same data. The
 * index copy records the union's link count of the inode (initially the lower's), kept up to date
 * by link and unlink, so st_nlink stays right across copy-up and remount.
 */
public final class HardLinkIndex {
  private final BranchIo io;
  private final Path dir;
  private final String linksXattr;
  private final String originXattr;

  public HardLinkIndex(BranchIo io, WorkDir work, WhiteoutFormat format) {
    this.io = io;
    this.dir = work.indexDir();
    this.originXattr = format.originXattr();
    this.linksXattr = originXattr.substring(0, originXattr.lastIndexOf('.') + 1) + "links";
  }

  /** True if a lower object is a hard-linked regular file that copy-up must route through the index. */
  public static boolean applies(Resolution.Visible v) {
    return !v.inUpper() && v.kind() == FileKind.REGULAR && v.stat().nlink() > 1;
  }

  /** The index name of a lower inode. */
  public Path pathFor(int branch, long ino) {
    return dir.resolve(branch + "-" + Long.toUnsignedString(ino, 16));
  }

  /** The index copy of a hard-linked lower object, or null if it has none (yet). */
  public Path existingFor(Resolution.Visible v) throws IOException {
    if (!applies(v)) {
      return null;
    }
    Path p = pathFor(v.top().branch().index(), v.stat().ino());
    return io.lstat(p) != null ? p : null;
  }

  /** The index copy an upper file is a link to, or null if it is not one. */
  public Path indexOfUpper(Path upperFile, Stat st) throws IOException {
    if (st.kind() != FileKind.REGULAR || st.nlink() < 2) {
      return null;
    }
    Origin origin = Origin.parse(io.getXattr(upperFile, originXattr));
    if (origin == null) {
      return null;
    }
    Path p = pathFor(origin.branch(), origin.ino());
    Stat idx = io.lstat(p);
    return idx != null && idx.ino() == st.ino() && idx.dev() == st.dev() ? p : null;
  }

  /** The union's link count recorded on an index copy (the real count minus one if none is recorded). */
  public long links(Path index, Stat st) throws IOException {
    byte[] v = io.getXattr(index, linksXattr);
    if (v != null) {
      try {
        return Long.parseLong(new String(v, StandardCharsets.US_ASCII).trim());
      } catch (NumberFormatException ignored) {
        // fall through to the real count
      }
    }
    return Math.max(1, st.nlink() - 1);
  }

  /** Records the union's link count on a (new) index copy. */
  public void setLinks(Path index, long links) throws IOException {
    try {
      io.setXattr(index, linksXattr, Long.toString(links).getBytes(StandardCharsets.US_ASCII), 0);
    } catch (UnionException e) {
      if (e.errno() != Errno.ENOTSUP && e.errno() != Errno.EPERM) {
        throw e;
      }
    }
  }

  /** Records the lower's link count on a new index copy; an index copy that has one keeps it. */
  public void initLinks(Path index, long lowerLinks) throws IOException {
    if (io.getXattr(index, linksXattr) == null) {
      setLinks(index, lowerLinks);
    }
  }

  /** Adds {@code delta} to the union's link count of an index copy. */
  public void adjustLinks(Path index, int delta) throws IOException {
    Stat st = io.lstat(index);
    if (st != null) {
      setLinks(index, Math.max(0, links(index, st) + delta));
    }
  }
}
