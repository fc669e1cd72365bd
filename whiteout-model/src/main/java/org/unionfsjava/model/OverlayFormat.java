package org.unionfsjava.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The kernel overlayfs format: a whiteout is a character device 0/0 with the hidden name, an
 * opaque directory has the xattr {@code trusted.overlay.opaque=y}. Kernel overlayfs can mount an
 * upper written this way. Needs CAP_MKNOD and trusted xattrs on the upper (root).
 *
 * <p>See the kernel's Documentation/filesystems/overlayfs.rst, "whiteouts and opaque directories".
 */
public final class OverlayFormat implements WhiteoutFormat {
  /** The xattr that marks an opaque directory. */
  public static final String OPAQUE_XATTR = "trusted.overlay.opaque";
  /** The xattr that records where a renamed directory's lower content lives (redirect_dir=on). */
  public static final String REDIRECT_XATTR = "trusted.overlay.redirect";
  /** The xattr of a metadata-only copy (kernel overlayfs with metacopy=on reads it too). */
  public static final String METACOPY_XATTR = "trusted.overlay.metacopy";
  private static final String PRIVATE_PREFIX = "trusted.overlay.";
  /** This project's own trusted xattrs (kernel overlayfs ignores them). */
  static final String OWN_PREFIX = "trusted.unionfs.";
  private static final byte[] YES = "y".getBytes(StandardCharsets.US_ASCII);
  private static final int S_IFCHR = 0020000;

  @Override
  public String name() {
    return "overlay";
  }

  /** True if attributes describe an overlay whiteout: a character device with device number 0. */
  public static boolean isWhiteoutNode(Stat st) {
    return st.kind() == FileKind.CHAR_DEVICE && st.rdev() == 0;
  }

  @Override
  public Entry lookup(BranchIo io, Path dir, String name) throws IOException {
    Stat st = io.lstatIn(dir, name);
    if (st == null) {
      return ABSENT;
    }
    return isWhiteoutNode(st) ? WHITEOUT : new Present(st, false);
  }

  @Override
  public boolean isOpaque(BranchIo io, Path dir) throws IOException {
    byte[] v = io.getXattr(dir, OPAQUE_XATTR);
    return v != null && v.length >= 1 && v[0] == 'y';
  }

  @Override
  public String whitedOutName(BranchIo io, Path dir, DirEntry entry) throws IOException {
    if (entry.kind() != FileKind.CHAR_DEVICE && entry.kind() != FileKind.UNKNOWN) {
      return null;
    }
    Stat st = io.lstat(dir.resolve(entry.name()));
    return st != null && isWhiteoutNode(st) ? entry.name() : null;
  }

  @Override
  public boolean statsUnknownEntries() {
    return true;
  }

  @Override
  public boolean isInternalName(String name) {
    return false;
  }

  @Override
  public void checkUserName(UnionPath path) {
    // every name is the user's in this format
  }

  @Override
  public void checkUserNode(UnionPath path, int mode, long rdev) throws UnionException {
    if ((mode & FileKind.S_IFMT) == S_IFCHR && rdev == 0) {
      throw new UnionException(Errno.EPERM, path.toString(),
          "a character device 0/0 is a whiteout in the overlay whiteout format");
    }
  }

  @Override
  public void whiteout(BranchIo io, WorkDir work, Path dir, String name) throws IOException {
    Path target = dir.resolve(name);
    Stat existing = io.lstat(target);
    if (existing == null) {
      // nothing of that name in the upper (a lower-only name, the rm -rf case): the node made in
      // place is the whole change, one atomic mknod, no temporary and no rename
      try {
        io.mknod(target, S_IFCHR, 0);
        CrashPoints.reach("whiteout.after-marker");
        return;
      } catch (UnionException e) {
        if (e.errno() != Errno.EEXIST) {
          throw e;
        }
        existing = io.lstat(target); // made meanwhile: replace it below
      }
    }
    Path temp = work.newTempPath();
    io.mknod(temp, S_IFCHR, 0);
    CrashPoints.reach("whiteout.after-marker");
    if (existing == null) {
      io.rename(temp, target, BranchIo.RenameMode.NOREPLACE);
    } else if (isWhiteoutNode(existing)) {
      io.unlink(temp);
    } else if (existing.isDirectory()) {
      // swap the directory out in one step, then remove it (it holds only markers)
      io.rename(temp, target, BranchIo.RenameMode.EXCHANGE);
      work.discard(temp);
    } else {
      io.rename(temp, target, BranchIo.RenameMode.REPLACE);
    }
  }

  @Override
  public void replaceWhiteout(BranchIo io, WorkDir work, Path temp, Path dir, String name) throws IOException {
    Path target = dir.resolve(name);
    if (io.lstat(target) == null) {
      // the whiteout is in a lower: the new upper object hides it by itself
      io.rename(temp, target, BranchIo.RenameMode.NOREPLACE);
      return;
    }
    Stat tempStat = io.lstat(temp);
    if (tempStat != null && tempStat.isDirectory()) {
      // a directory cannot be renamed over a device node: swap, then drop the whiteout
      io.rename(temp, target, BranchIo.RenameMode.EXCHANGE);
      io.unlink(temp);
    } else {
      io.rename(temp, target, BranchIo.RenameMode.REPLACE);
    }
  }

  @Override
  public void renameLeavingWhiteout(BranchIo io, WorkDir work, Path from, Path to) throws IOException {
    try {
      io.rename(from, to, BranchIo.RenameMode.WHITEOUT);
      return;
    } catch (UnionException e) {
      if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOTSUP) {
        throw e;
      }
    }
    // no RENAME_WHITEOUT on this filesystem: rename, then the whiteout (a crash in between
    // shows the lower's object at the old name again)
    io.rename(from, to, BranchIo.RenameMode.REPLACE);
    whiteout(io, work, from.getParent(), from.getFileName().toString());
  }

  @Override
  public String redirect(BranchIo io, Path dir) throws IOException {
    byte[] v = io.getXattr(dir, REDIRECT_XATTR);
    return v == null || v.length == 0 ? null : NameCharset.string(v);
  }

  @Override
  public void setRedirect(BranchIo io, Path dir, String lowerPath) throws IOException {
    io.setXattr(dir, REDIRECT_XATTR, NameCharset.bytes(lowerPath), 0);
  }

  @Override
  public void dropWhiteoutBeside(BranchIo io, Path dir, String name) {
    // the rename replaced the whiteout node itself
  }

  @Override
  public String originXattr() {
    return OWN_PREFIX + "origin";
  }

  @Override
  public boolean isMetacopy(BranchIo io, Path file) throws IOException {
    return io.getXattr(file, METACOPY_XATTR) != null;
  }

  @Override
  public void markMetacopy(BranchIo io, Path file) throws IOException {
    io.setXattr(file, METACOPY_XATTR, new byte[0], 0);
  }

  @Override
  public void clearMetacopy(BranchIo io, Path file) throws IOException {
    io.removeXattr(file, METACOPY_XATTR);
  }

  @Override
  public void markOpaque(BranchIo io, Path dir) throws IOException {
    io.setXattr(dir, OPAQUE_XATTR, YES, 0);
  }

  @Override
  public boolean isPrivateXattr(String name) {
    // the other format's own names too (user.unionfs.*): an upper converted from aufs keeps them
    // until convert strips them, and they are never the user's
    return name.startsWith(PRIVATE_PREFIX) || name.startsWith(OWN_PREFIX)
        || name.startsWith(AufsFormat.OWN_XATTR_PREFIX);
  }

  @Override
  public boolean isMarker(BranchIo io, Path dir, DirEntry entry) throws IOException {
    if (whitedOutName(io, dir, entry) != null) {
      return true;
    }
    if (entry.kind() == FileKind.DIRECTORY || entry.kind() == FileKind.UNKNOWN) {
      Path p = dir.resolve(entry.name());
      Stat st = io.lstat(p);
      return st != null && st.isDirectory() && io.getXattr(p, OPAQUE_XATTR) != null;
    }
    return false;
  }

  @Override
  public String toString() {
    return name();
  }
}
