package org.unionfsjava.model;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How one on-disk format writes whiteouts and opaque directories, and how it reads them back.
 *
 * <p>A format is chosen once per mount (see {@link FormatDetector}) and holds no mutable state.
 * The operations that change the upper are atomic where the format allows: a name is never seen
 * both deleted and present, or neither, after a crash.
 */
public interface WhiteoutFormat {

  /** What one branch directory says about one name. */
  sealed interface Entry permits Present, Whiteout, Absent {}

  /**
   * The branch has an object of that name.
   *
   * @param hidesBelow true if the same branch also whites the name out for the branches below (an
   *     aufs {@code .wh.NAME} beside the object), so nothing below merges with it
   */
  record Present(Stat stat, boolean hidesBelow) implements Entry {}

  /** The branch has a whiteout for that name: it is hidden here and in every branch below. */
  record Whiteout() implements Entry {}

  /** The branch says nothing about that name. */
  record Absent() implements Entry {}

  /** The absent entry (shared). */
  Entry ABSENT = new Absent();
  /** The whiteout entry (shared). */
  Entry WHITEOUT = new Whiteout();

  /** The format's name, as {@code --whiteout-format} spells it. */
  String name();

  /** Looks a user-visible name up in one branch directory. */
  Entry lookup(BranchIo io, Path dir, String name) throws IOException;

  /** True if this branch directory is opaque: nothing below it merges with it. */
  boolean isOpaque(BranchIo io, Path dir) throws IOException;

  /**
   * For a listing: the name this entry of a branch directory whites out, or null if the entry is
   * not a whiteout. May stat the entry (when d_type says a character device or is unknown).
   */
  String whitedOutName(BranchIo io, Path dir, DirEntry entry) throws IOException;

  /**
   * True if {@link #whitedOutName} must lstat an entry whose d_type is unknown (the overlay
   * format: a whiteout is a character device), so a listing may as well learn its type then.
   */
  default boolean statsUnknownEntries() {
    return false;
  }

  /** True if a name in a branch directory is the format's own (a marker) and never shown or hidden. */
  boolean isInternalName(String name);

  /** Throws if a user may not create a name of this form (aufs reserves {@code .wh.}). */
  void checkUserName(UnionPath path) throws UnionException;

  /**
   * Throws if a user may not make a node of this type and device number by mknod: the overlay
   * format's whiteout is a character device 0/0, so there one would hide the name (and any lower
   * object of that name) instead of showing a device; it is refused with EPERM, as kernel
   * overlayfs refuses it. Called before anything changes. Other nodes pass.
   */
  default void checkUserNode(UnionPath path, int mode, long rdev) throws UnionException {
    // no node is the format's own
  }

  /**
   * Makes {@code dir/name} in the upper a whiteout. An upper object there is replaced atomically
   * where the format allows; an upper directory there must hold only markers and is removed.
   */
  void whiteout(BranchIo io, WorkDir work, Path dir, String name) throws IOException;

  /**
   * Moves a new object prepared at {@code temp} (in the work directory) to {@code dir/name}, where
   * the upper has a whiteout, so that the name goes from hidden to the new object in one step.
   */
  void replaceWhiteout(BranchIo io, WorkDir work, Path temp, Path dir, String name) throws IOException;

  /**
   * Renames an upper non-directory or directory {@code from} to {@code to} (replacing a
   * non-directory there) and leaves a whiteout at {@code from}, in one step where the format
   * and filesystem allow; otherwise so that a crash in between shows the object at its old name.
   */
  void renameLeavingWhiteout(BranchIo io, WorkDir work, Path from, Path to) throws IOException;

  /**
   * The redirect of an upper directory: the absolute union path (from the lowers' roots) where
   * its lower content lives since it was renamed, or null if it has none.
   */
  String redirect(BranchIo io, Path dir) throws IOException;

  /** Records a redirect on an upper directory (see {@link #redirect}). */
  void setRedirect(BranchIo io, Path dir, String lowerPath) throws IOException;

  /**
   * After a new upper object took the name {@code dir/name} by a rename, removes a whiteout the
   * format keeps beside objects (aufs {@code .wh.NAME}); the object alone hides the lowers now.
   * Nothing to do where the rename itself replaced the whiteout (overlay).
   */
  void dropWhiteoutBeside(BranchIo io, Path dir, String name) throws IOException;

  /**
   * The xattr in which a copied-up object records its origin ("BRANCH:INO" of the lower object),
   * so the union keeps reporting the lower's inode number after the copy-up. Private.
   */
  String originXattr();

  /**
   * True if an upper regular file is a metadata-only copy: its attributes are its own, its data is
   * still the lower file of the same name.
   */
  boolean isMetacopy(BranchIo io, Path file) throws IOException;

  /** Marks an upper regular file as a metadata-only copy; ENOTSUP where the upper cannot record it. */
  void markMetacopy(BranchIo io, Path file) throws IOException;

  /** Makes a metadata-only copy an ordinary upper file (its data was just replaced). */
  void clearMetacopy(BranchIo io, Path file) throws IOException;

  /** Marks an upper directory opaque. */
  void markOpaque(BranchIo io, Path dir) throws IOException;

  /** True if an xattr is the format's own: never listed, read, written or copied up through the union. */
  boolean isPrivateXattr(String name);

  /** True if this branch directory entry is a marker of this format (for detection). */
  boolean isMarker(BranchIo io, Path dir, DirEntry entry) throws IOException;
}
