package org.unionfsjava.fs;

/**
 * The inode numbers the union reports: a branch's own inode number with the branch's index in the
 * top bits, so objects of different branches never share a number and hard links inside one
 * branch keep sharing theirs. (The upper has index 0: its numbers are reported unchanged.)
 *
 * <p>An object copied up records its origin (lower branch and inode, {@link
 * org.unionfsjava.model.Origin}) and is reported with the origin's number, so its number stays
 * the same across copy-up, rename and remount.
 */
final class InodeNumbers {
  private static final int SHIFT = 58;
  private static final long LOW_MASK = (1L << SHIFT) - 1;

  private InodeNumbers() {}

  /** The union's number for an upper object with this real inode number and recorded origin (may be null). */
  static long ofUpper(long realIno, org.unionfsjava.model.Origin origin) {
    return origin == null ? realIno : of(origin.branch(), origin.ino());
  }

  /** The union's inode number for a real inode number in the branch with this index. */
  static long of(int branchIndex, long realIno) {
    if (branchIndex == 0) {
      return realIno;
    }
    return (realIno & LOW_MASK) ^ ((long) branchIndex << SHIFT);
  }
}
