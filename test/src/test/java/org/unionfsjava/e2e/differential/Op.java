package org.unionfsjava.e2e.differential;

import java.util.Random;

/**
 * One operation of a differential run, with every parameter fixed, so that it applies the same
 * way to the union and to the model and can be replayed (for shrinking) from its description.
 * Paths are relative to the root of the side it is applied to; {@code path2} is the second path
 * (rename and link destination) or the symlink target.
 */
record Op(Kind kind, String path, String path2, int mode, long offset, long length, int dataLength,
    long dataSeed, long atimeNs, long mtimeNs, boolean noFollow) {

  /** What the operation does; each is one system call (or open, write, close). */
  enum Kind {
    /** open(O_WRONLY|O_CREAT|O_TRUNC, mode), write data, close: create or overwrite. */
    WRITE,
    /** open(O_WRONLY|O_CREAT|O_EXCL, mode), write data, close. */
    CREATE_EXCL,
    /** open(O_WRONLY|O_APPEND), write data, close. */
    APPEND,
    /** open(O_WRONLY), pwrite data at offset, close. */
    PWRITE,
    /** truncate(path, length). */
    TRUNCATE,
    UNLINK,
    /** mkdir(path, mode). */
    MKDIR,
    RMDIR,
    /** rename(path, path2). */
    RENAME,
    /** symlink(path2, path): path2 is the target text. */
    SYMLINK,
    /** link(path, path2). */
    LINK,
    /** chmod(path, mode), following symlinks. */
    CHMOD,
    /** utimensat(path, atime, mtime) in ns, with AT_SYMLINK_NOFOLLOW if noFollow. */
    UTIMES
  }

  static Op simple(Kind kind, String path) {
    return new Op(kind, path, null, 0, 0, 0, 0, 0, 0, 0, false);
  }

  static Op twoPaths(Kind kind, String path, String path2) {
    return new Op(kind, path, path2, 0, 0, 0, 0, 0, 0, 0, false);
  }

  static Op withMode(Kind kind, String path, int mode) {
    return new Op(kind, path, null, mode, 0, 0, 0, 0, 0, 0, false);
  }

  static Op withData(Kind kind, String path, int mode, long offset, int dataLength, long dataSeed) {
    return new Op(kind, path, null, mode, offset, 0, dataLength, dataSeed, 0, 0, false);
  }

  static Op truncate(String path, long length) {
    return new Op(Kind.TRUNCATE, path, null, 0, 0, length, 0, 0, 0, 0, false);
  }

  static Op utimes(String path, long atimeNs, long mtimeNs, boolean noFollow) {
    return new Op(Kind.UTIMES, path, null, 0, 0, 0, 0, 0, atimeNs, mtimeNs, noFollow);
  }

  /** The bytes this operation writes (the same on both sides). */
  byte[] data() {
    byte[] b = new byte[dataLength];
    new Random(dataSeed).nextBytes(b);
    return b;
  }

  /** Whether the operation can change a file's content (and so its mtime). */
  boolean writesContent() {
    return switch (kind) {
      case WRITE, CREATE_EXCL, APPEND, PWRITE, TRUNCATE -> true;
      default -> false;
    };
  }

  @Override
  public String toString() {
    String m = "0" + Integer.toOctalString(mode);
    return switch (kind) {
      case WRITE -> "write(O_CREAT|O_TRUNC) " + path + " mode=" + m + " len=" + dataLength + " dataSeed=" + dataSeed;
      case CREATE_EXCL -> "write(O_CREAT|O_EXCL) " + path + " mode=" + m + " len=" + dataLength + " dataSeed=" + dataSeed;
      case APPEND -> "append " + path + " len=" + dataLength + " dataSeed=" + dataSeed;
      case PWRITE -> "pwrite " + path + " offset=" + offset + " len=" + dataLength + " dataSeed=" + dataSeed;
      case TRUNCATE -> "truncate " + path + " to " + length;
      case UNLINK -> "unlink " + path;
      case MKDIR -> "mkdir " + path + " mode=" + m;
      case RMDIR -> "rmdir " + path;
      case RENAME -> "rename " + path + " -> " + path2;
      case SYMLINK -> "symlink " + path + " -> '" + path2 + "'";
      case LINK -> "link " + path + " as " + path2;
      case CHMOD -> "chmod " + path + " " + m;
      case UTIMES -> "utimes " + path + " atime=" + atimeNs + " mtime=" + mtimeNs + (noFollow ? " NOFOLLOW" : "");
    };
  }
}
