package org.unionfsjava.fs.nativeio;

import jnr.ffi.Pointer;
import org.unionfsjava.model.Stat;

/**
 * The byte layout of the kernel's {@code struct stat} on one architecture, and its parser into a
 * model {@link Stat}.
 *
 * <p>x86_64 has its own 144-byte layout (st_nlink before st_mode, 64-bit st_blksize); aarch64,
 * riscv64 and the other newer 64-bit ports use the 128-byte asm-generic layout (st_mode before a
 * 32-bit st_nlink, 32-bit st_blksize). Both keep the three timespecs at offsets 72..119.
 */
public final class StatLayout {

  /** The x86_64 layout (glibc {@code struct stat}, kernel {@code struct stat} of arch/x86). */
  public static final StatLayout X86_64 = new StatLayout("x86_64", 144, 16, 8, 24, 28, 32, 40, 56,
      8);
  /** The asm-generic layout used by aarch64. */
  public static final StatLayout GENERIC = new StatLayout("generic", 128, 20, 4, 16, 24, 28, 32,
      56, 4);

  private static final int DEV = 0;
  private static final int INO = 8;
  private static final int SIZE = 48;
  private static final int BLOCKS = 64;
  private static final int ATIME = 72;
  private static final int MTIME = 88;
  private static final int CTIME = 104;

  private final String name;
  private final int size;
  private final int nlinkOffset;
  private final int nlinkWidth;
  private final int modeOffset;
  private final int uidOffset;
  private final int gidOffset;
  private final int rdevOffset;
  private final int blksizeOffset;
  private final int blksizeWidth;

  private StatLayout(String name, int size, int nlinkOffset, int nlinkWidth, int modeOffset,
      int uidOffset, int gidOffset, int rdevOffset, int blksizeOffset, int blksizeWidth) {
    this.name = name;
    this.size = size;
    this.nlinkOffset = nlinkOffset;
    this.nlinkWidth = nlinkWidth;
    this.modeOffset = modeOffset;
    this.uidOffset = uidOffset;
    this.gidOffset = gidOffset;
    this.rdevOffset = rdevOffset;
    this.blksizeOffset = blksizeOffset;
    this.blksizeWidth = blksizeWidth;
  }

  /** The layout of the architecture this JVM runs on. */
  public static StatLayout host() {
    return LinuxAbi.X86_64 ? X86_64 : GENERIC;
  }

  /** sizeof(struct stat) in bytes: the least a buffer for lstat/fstat must hold. */
  public int size() {
    return size;
  }

  /** Reads a {@code struct stat} that starts at offset 0 of {@code buf}. */
  public Stat read(Pointer buf) {
    long nlink = nlinkWidth == 8 ? buf.getLong(nlinkOffset)
        : Integer.toUnsignedLong(buf.getInt(nlinkOffset));
    long blksize = blksizeWidth == 8 ? buf.getLong(blksizeOffset) : buf.getInt(blksizeOffset);
    return new Stat(
        buf.getLong(DEV),
        buf.getLong(INO),
        buf.getInt(modeOffset),
        nlink,
        buf.getInt(uidOffset),
        buf.getInt(gidOffset),
        buf.getLong(rdevOffset),
        buf.getLong(SIZE),
        blksize,
        buf.getLong(BLOCKS),
        nanos(buf, ATIME),
        nanos(buf, MTIME),
        nanos(buf, CTIME));
  }

  /**
   * Writes a model {@link Stat} into {@code buf} in this layout (zeroing padding), the inverse of
   * {@link #read}; used to hand a stat to native code and to test the layouts.
   */
  public void write(Stat stat, Pointer buf) {
    buf.setMemory(0, size, (byte) 0);
    buf.putLong(DEV, stat.dev());
    buf.putLong(INO, stat.ino());
    buf.putInt(modeOffset, stat.mode());
    if (nlinkWidth == 8) {
      buf.putLong(nlinkOffset, stat.nlink());
    } else {
      buf.putInt(nlinkOffset, (int) stat.nlink());
    }
    buf.putInt(uidOffset, stat.uid());
    buf.putInt(gidOffset, stat.gid());
    buf.putLong(rdevOffset, stat.rdev());
    buf.putLong(SIZE, stat.size());
    if (blksizeWidth == 8) {
      buf.putLong(blksizeOffset, stat.blksize());
    } else {
      buf.putInt(blksizeOffset, (int) stat.blksize());
    }
    buf.putLong(BLOCKS, stat.blocks());
    putNanos(buf, ATIME, stat.atimeNs());
    putNanos(buf, MTIME, stat.mtimeNs());
    putNanos(buf, CTIME, stat.ctimeNs());
  }

  private static long nanos(Pointer buf, int offset) {
    // Overflows only past the year 2262, which a signed 64-bit ns count cannot represent anyway.
    return buf.getLong(offset) * 1_000_000_000L + buf.getLong(offset + 8);
  }

  private static void putNanos(Pointer buf, int offset, long ns) {
    buf.putLong(offset, Math.floorDiv(ns, 1_000_000_000L));
    buf.putLong(offset + 8, Math.floorMod(ns, 1_000_000_000L));
  }

  @Override
  public String toString() {
    return "StatLayout[" + name + ", " + size + " bytes]";
  }
}
