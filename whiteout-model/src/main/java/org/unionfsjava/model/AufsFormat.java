package org.unionfsjava.model;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The aufs format, also used by OCI image layers: a whiteout for NAME is an empty file {@code
 * .wh.NAME} in the same directory, an opaque directory holds the file {@code .wh..wh..opq}. Needs
 * nothing of the upper's filesystem, so it works where device nodes or trusted xattrs are not
 * allowed. Names starting with {@code .wh.} are reserved: the union never shows them and a user
 * cannot create them.
 *
 * <p>A whiteout hides the name in the branches below; an object of the same name in the same
 * branch stays visible (and then nothing below merges with it).
 */
public final class AufsFormat implements WhiteoutFormat {
  /** The prefix of every whiteout and marker name. */
  public static final String PREFIX = ".wh.";
  /** The opaque marker's name. */
  public static final String OPAQUE_MARKER = ".wh..wh..opq";
  /**
   * This project's redirect marker (aufs and OCI have none): a file in a renamed directory whose
   * content is the absolute union path where the directory's lower content lives.
   */
  public static final String REDIRECT_MARKER = ".wh..wh..redirect";
  private static final String META_PREFIX = ".wh..wh.";
  /** This project's own user xattrs (recorded where the upper supports user xattrs). */
  static final String OWN_XATTR_PREFIX = "user.unionfs.";

  @Override
  public String name() {
    return "aufs";
  }

  @Override
  public Entry lookup(BranchIo io, Path dir, String name) throws IOException {
    if (name.startsWith(PREFIX)) {
      return ABSENT;
    }
    Stat st = io.lstatIn(dir, name);
    boolean whiteout = canHaveMarker(name) && io.lstatIn(dir, PREFIX + name) != null;
    if (st == null) {
      return whiteout ? WHITEOUT : ABSENT;
    }
    return new Present(st, whiteout);
  }

  /** A name within 4 bytes of NAME_MAX cannot have a {@code .wh.} marker: the marker's name would be too long. */
  private static boolean canHaveMarker(String name) {
    return UnionPath.byteLength(name, 0, name.length()) + PREFIX.length() <= UnionPath.NAME_MAX;
  }

  private static Path markerFor(Path dir, String name) throws UnionException {
    if (!canHaveMarker(name)) {
      throw new UnionException(Errno.ENAMETOOLONG, dir.resolve(name).toString(),
          "the aufs format cannot record a whiteout for a name longer than "
          + (UnionPath.NAME_MAX - PREFIX.length()) + " bytes");
    }
    return dir.resolve(PREFIX + name);
  }

  @Override
  public void dropWhiteoutBeside(BranchIo io, Path dir, String name) throws IOException {
    if (!canHaveMarker(name)) {
      return;
    }
    try {
      io.unlink(dir.resolve(PREFIX + name));
    } catch (UnionException e) {
      if (e.errno() != Errno.ENOENT) {
        throw e;
      }
    }
  }

  @Override
  public boolean isOpaque(BranchIo io, Path dir) throws IOException {
    return io.lstatIn(dir, OPAQUE_MARKER) != null;
  }

  @Override
  public String whitedOutName(BranchIo io, Path dir, DirEntry entry) {
    String n = entry.name();
    if (n.startsWith(PREFIX) && !n.startsWith(META_PREFIX) && n.length() > PREFIX.length()) {
      return n.substring(PREFIX.length());
    }
    return null;
  }

  @Override
  public boolean isInternalName(String name) {
    return name.startsWith(PREFIX);
  }

  @Override
  public void checkUserName(UnionPath path) throws UnionException {
    if (path.name().startsWith(PREFIX)) {
      throw new UnionException(Errno.EINVAL, path.toString(),
          "names starting with '" + PREFIX + "' are reserved by the aufs whiteout format");
    }
  }

  @Override
  public void whiteout(BranchIo io, WorkDir work, Path dir, String name) throws IOException {
    Path marker = markerFor(dir, name);
    if (io.lstat(marker) == null) {
      io.createFile(marker, 0444);
    }
    CrashPoints.reach("whiteout.after-marker");
    // the marker hides the lowers first; the upper object goes second, so a crash in between
    // leaves the old object visible rather than a lower one
    Path target = dir.resolve(name);
    Stat existing = io.lstat(target);
    if (existing == null) {
      return;
    }
    if (existing.isDirectory()) {
      Path temp = work.newTempPath();
      io.rename(target, temp, BranchIo.RenameMode.NOREPLACE);
      work.discard(temp);
    } else {
      io.unlink(target);
    }
  }

  @Override
  public void replaceWhiteout(BranchIo io, WorkDir work, Path temp, Path dir, String name) throws IOException {
    io.rename(temp, dir.resolve(name), BranchIo.RenameMode.NOREPLACE);
    dropWhiteoutBeside(io, dir, name);
  }

  @Override
  public void renameLeavingWhiteout(BranchIo io, WorkDir work, Path from, Path to) throws IOException {
    Path marker = markerFor(from.getParent(), from.getFileName().toString());
    if (io.lstat(marker) == null) {
      io.createFile(marker, 0444);
    }
    CrashPoints.reach("whiteout.after-marker");
    io.rename(from, to, BranchIo.RenameMode.REPLACE);
  }

  @Override
  public String redirect(BranchIo io, Path dir) throws IOException {
    Path marker = dir.resolve(REDIRECT_MARKER);
    if (io.lstat(marker) == null) {
      return null;
    }
    try {
      String s = NameCharset.string(io.readSmallFile(marker, 64 * 1024));
      if (s.endsWith("\n")) {
        s = s.substring(0, s.length() - 1); // names may end in other white space: only the newline goes
      }
      return s.isEmpty() ? null : s;
    } catch (IOException e) {
      throw ErrnoMapper.toUnion(e, marker.toString());
    }
  }

  @Override
  public void setRedirect(BranchIo io, Path dir, String lowerPath) throws IOException {
    // written under a temporary name and renamed, so a crash leaves the old marker or the new one
    Path temp = dir.resolve(META_PREFIX + "redirect.tmp");
    if (io.lstat(temp) != null) {
      io.unlink(temp); // left by a crash between the write and the rename
    }
    io.writeNewFile(temp, NameCharset.bytes(lowerPath + "\n"), 0444); // read-only, like every marker
    io.rename(temp, dir.resolve(REDIRECT_MARKER), BranchIo.RenameMode.REPLACE);
  }

  @Override
  public boolean isMetacopy(BranchIo io, Path file) throws IOException {
    return io.getXattr(file, OWN_XATTR_PREFIX + "metacopy") != null;
  }

  @Override
  public void markMetacopy(BranchIo io, Path file) throws IOException {
    io.setXattr(file, OWN_XATTR_PREFIX + "metacopy", new byte[0], 0);
  }

  @Override
  public void clearMetacopy(BranchIo io, Path file) throws IOException {
    io.removeXattr(file, OWN_XATTR_PREFIX + "metacopy");
  }

  @Override
  public void markOpaque(BranchIo io, Path dir) throws IOException {
    Path marker = dir.resolve(OPAQUE_MARKER);
    if (io.lstat(marker) == null) {
      io.createFile(marker, 0444);
    }
  }

  @Override
  public boolean isPrivateXattr(String name) {
    // the overlay format's own trusted.unionfs.* too: an upper converted from overlay keeps them
    // until convert strips them, and they are never the user's
    return name.startsWith(OWN_XATTR_PREFIX) || name.startsWith(OverlayFormat.OWN_PREFIX);
  }

  @Override
  public String originXattr() {
    return OWN_XATTR_PREFIX + "origin";
  }

  @Override
  public boolean isMarker(BranchIo io, Path dir, DirEntry entry) {
    return entry.name().startsWith(PREFIX);
  }

  @Override
  public String toString() {
    return name();
  }
}
