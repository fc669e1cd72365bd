package org.unionfsjava.fs.fuse3;

import jnr.ffi.Pointer;

/**
 * What a low-level setattr asks to change: the {@code to_set} bits (fuse_lowlevel.h
 * FUSE_SET_ATTR_*) and the new values in a {@code struct stat} (x86_64 layout).
 */
public final class AttrChange {
  public static final int MODE = 1;
  public static final int UID = 1 << 1;
  public static final int GID = 1 << 2;
  public static final int SIZE = 1 << 3;
  public static final int ATIME = 1 << 4;
  public static final int MTIME = 1 << 5;
  public static final int ATIME_NOW = 1 << 7;
  public static final int MTIME_NOW = 1 << 8;

  private final Pointer stat;
  private final int toSet;

  AttrChange(Pointer stat, int toSet) {
    this.stat = stat;
    this.toSet = toSet;
  }

  public boolean has(int bit) {
    return (toSet & bit) != 0;
  }

  public int mode() {
    return stat.getInt(Fuse3Abi.ST_MODE);
  }

  public int uid() {
    return stat.getInt(Fuse3Abi.ST_UID);
  }

  public int gid() {
    return stat.getInt(Fuse3Abi.ST_GID);
  }

  public long size() {
    return stat.getLong(Fuse3Abi.ST_SIZE);
  }

  /** The new access time in ns since the epoch (valid with {@link #ATIME}). */
  public long atimeNs() {
    return stat.getLong(Fuse3Abi.ST_ATIME) * 1_000_000_000L + stat.getLong(Fuse3Abi.ST_ATIME + 8);
  }

  /** The new modification time in ns since the epoch (valid with {@link #MTIME}). */
  public long mtimeNs() {
    return stat.getLong(Fuse3Abi.ST_MTIME) * 1_000_000_000L + stat.getLong(Fuse3Abi.ST_MTIME + 8);
  }

  @Override
  public String toString() {
    return "0x" + Integer.toHexString(toSet);
  }
}
