package org.unionfsjava.model;

/**
 * The attributes of one object in one branch, as lstat(2) gives them (times in nanoseconds since
 * the epoch). Immutable, so it can be cached and shared between threads.
 */
public record Stat(
    long dev, long ino, int mode, long nlink, int uid, int gid, long rdev, long size,
    long blksize, long blocks, long atimeNs, long mtimeNs, long ctimeNs) {

  /** The kind of object. */
  public FileKind kind() {
    return FileKind.ofMode(mode);
  }

  public boolean isDirectory() {
    return (mode & FileKind.S_IFMT) == FileKind.DIRECTORY.typeBits();
  }

  /** The permission bits, with setuid, setgid and sticky (07777). */
  public int permissions() {
    return mode & 07777;
  }

  /** A copy with other permission bits, type kept. */
  public Stat withPermissions(int perms) {
    return new Stat(dev, ino, (mode & ~07777) | (perms & 07777), nlink, uid, gid, rdev, size,
        blksize, blocks, atimeNs, mtimeNs, ctimeNs);
  }

  /** A copy with another inode number and link count, as the union reports them. */
  public Stat withInode(long newIno, long newNlink) {
    return new Stat(dev, newIno, mode, newNlink, uid, gid, rdev, size, blksize, blocks, atimeNs,
        mtimeNs, ctimeNs);
  }
}
