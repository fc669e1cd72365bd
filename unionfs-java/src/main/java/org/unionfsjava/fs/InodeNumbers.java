package org.unionfsjava.fs;

/**
 * The inode numbers the union reports: a branch's own inode number with the branch's index in the
 * top bits, so objects of different branches never share a number and hard links inside one
 * branch keep sharing theirs. (The upper has index 0: its numbers are reported unchanged.)
 *
 * <p>A file copied up gets the upper's number; numbers that survive copy-up come with the origin
 * records of a later version.
 */
final class InodeNumbers {
  private static final int SHIFT = 58;
  private static final long LOW_MASK = (1L << SHIFT) - 1;

  private InodeNumbers() {}

  /** The union's inode number for a real inode number in the branch with this index. */
  static long of(int branchIndex, long realIno) {
    if (branchIndex == 0) {
      return realIno;
    }
    return (realIno & LOW_MASK) ^ ((long) branchIndex << SHIFT);
  }
}
