package org.unionfsjava.fs.fuse3;

import jnr.ffi.Pointer;

/** {@code struct fuse_conn_info} at init: what the kernel offers and what the filesystem wants. */
public final class Conn {
  // fuse_common.h FUSE_CAP_* bits used by the union.

  /** libfuse may answer reads by splicing from a descriptor ({@code fuse_reply_data}). */
  public static final int SPLICE_WRITE = 1 << 7;
  /** ... and may move the spliced pages instead of copying them where the kernel allows. */
  public static final int SPLICE_MOVE = 1 << 8;
  public static final int READDIRPLUS = 1 << 13;
  public static final int READDIRPLUS_AUTO = 1 << 14;
  public static final int PARALLEL_DIROPS = 1 << 18;
  public static final int POSIX_ACL = 1 << 19;
  public static final int HANDLE_KILLPRIV = 1 << 20;

  private final Pointer p;

  Conn(Pointer p) {
    this.p = p;
  }

  public int capable() {
    return p.getInt(Fuse3Abi.CONN_CAPABLE);
  }

  public int want() {
    return p.getInt(Fuse3Abi.CONN_WANT);
  }

  private void want(int bits) {
    p.putInt(Fuse3Abi.CONN_WANT, bits);
  }

  /** Asks for a capability if the kernel offers it; returns whether it is now wanted. */
  public boolean request(int bit) {
    if ((capable() & bit) == 0) {
      return false;
    }
    want(want() | bit);
    return true;
  }

  public void refuse(int bit) {
    want(want() & ~bit);
  }
}
