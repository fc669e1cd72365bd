package org.unionfsjava.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The one port through which the union touches a branch's filesystem.
 *
 * <p>Every path is an absolute path inside one branch (or the work directory). Errors are thrown
 * as {@link UnionException} carrying the errno the system call gave, so that callers can tell
 * ENOENT from EACCES without parsing text. "Not there" answers of the lookup path ({@link #lstat},
 * {@link #getXattr}) are returned as {@code null} instead, because a union asks that question on
 * every lookup in every branch and an exception per miss is too slow.
 *
 * <p>{@code NioBranchIo} (this module) works on any NIO filesystem, Jimfs included, but cannot
 * make device nodes or reach trusted xattrs; {@code NativeBranchIo} (module unionfs-java) binds
 * libc and can.
 */
public interface BranchIo {

  /** utimensat's UTIME_NOW: set this time to the current time. */
  long UTIME_NOW = (1L << 30) - 1;
  /** utimensat's UTIME_OMIT: leave this time as it is. */
  long UTIME_OMIT = (1L << 30) - 2;

  /** setxattr flag: fail with EEXIST if the attribute exists. */
  int XATTR_CREATE = 1;
  /** setxattr flag: fail with ENODATA if the attribute does not exist. */
  int XATTR_REPLACE = 2;

  /** How {@link #rename} treats an existing target. */
  enum RenameMode {
    /** rename(2): replace the target. */
    REPLACE,
    /** RENAME_NOREPLACE: fail with EEXIST if the target exists. */
    NOREPLACE,
    /** RENAME_EXCHANGE: swap source and target atomically; both must exist. */
    EXCHANGE,
    /** RENAME_WHITEOUT: replace the target and leave an overlay whiteout (char 0/0) at the source. */
    WHITEOUT
  }

  /** lstat(2): the object's attributes, or null when the name does not exist (ENOENT, ENOTDIR). */
  Stat lstat(Path path) throws IOException;

  /**
   * {@link #lstat} of {@code name} in the directory {@code dir}, the same answer as {@code
   * lstat(dir.resolve(name))}. The lookup path asks this way (the whiteout formats' lookups), so
   * that an implementation can answer from what it knows of the directory.
   */
  default Stat lstatIn(Path dir, String name) throws IOException {
    return lstat(dir.resolve(name));
  }

  /** The names in a directory, without "." and "..", in no particular order. */
  List<DirEntry> list(Path dir) throws IOException;

  /** lgetxattr(2): the value, or null if the object has no such attribute or xattrs are unsupported. */
  byte[] getXattr(Path path, String name) throws IOException;

  /** llistxattr(2): the names, empty if the filesystem has no xattrs. */
  List<String> listXattrs(Path path) throws IOException;

  /** lsetxattr(2) with {@link #XATTR_CREATE}/{@link #XATTR_REPLACE} flags. */
  void setXattr(Path path, String name, byte[] value, int flags) throws IOException;

  /** lremovexattr(2). */
  void removeXattr(Path path, String name) throws IOException;

  /** mkdir(2) with exactly this mode (the daemon runs with umask 0). */
  void mkdir(Path path, int mode) throws IOException;

  /** mknod(2): fifos, sockets, character and block devices (also the overlay whiteout 0/0). */
  void mknod(Path path, int mode, long rdev) throws IOException;

  /** symlink(2): a link at {@code link} pointing to {@code target} (stored as given). */
  void symlink(String target, Path link) throws IOException;

  /** readlink(2). */
  String readlink(Path path) throws IOException;

  /** link(2), not following a symlink source. */
  void link(Path existing, Path newLink) throws IOException;

  /** rename(2) or renameat2(2) with the flag the mode names. */
  void rename(Path from, Path to, RenameMode mode) throws IOException;

  /** unlink(2). */
  void unlink(Path path) throws IOException;

  /** rmdir(2). */
  void rmdir(Path path) throws IOException;

  /** chmod(2) on a non-symlink. */
  void chmod(Path path, int mode) throws IOException;

  /** lchown(2); -1 leaves that id unchanged. */
  void lchown(Path path, int uid, int gid) throws IOException;

  /** utimensat(2) with AT_SYMLINK_NOFOLLOW; {@link #UTIME_NOW} and {@link #UTIME_OMIT} allowed. */
  void utimens(Path path, long atimeNs, long mtimeNs) throws IOException;

  /** truncate(2). */
  void truncate(Path path, long size) throws IOException;

  /** Creates a new empty regular file (O_CREAT|O_EXCL) with exactly this mode. */
  void createFile(Path path, int mode) throws IOException;

  /**
   * Copies the data of regular file {@code from} into the new file {@code to}, which this call
   * creates (O_EXCL) with mode 0600; holes stay holes where the implementation can tell them.
   * With {@code sync} the copy is on stable storage when this returns, or is a reflink clone
   * (shared extents, already stable, which the filesystem's journal commits before any later
   * rename of the copy, so it needs no fsync).
   */
  void copyFileData(Path from, Path to, boolean sync) throws IOException;

  /** The whole content of a small regular file (a marker or record), at most {@code max} bytes. */
  byte[] readSmallFile(Path path, int max) throws IOException;

  /** Creates the new file {@code path} (O_EXCL) with {@code mode} holding {@code data}, on stable storage. */
  void writeNewFile(Path path, byte[] data, int mode) throws IOException;

  /** Flushes a directory's entries (fsync on the directory) so a rename in it is durable. */
  void syncDirectory(Path dir) throws IOException;
}
