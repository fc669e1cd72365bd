package org.unionfsjava.transport;

import java.nio.ByteBuffer;

/**
 * The arguments of a SETATTR (struct fuse_setattr_in): a view over the request buffer, valid
 * only while its request is being handled. {@link #valid()} says which fields are set
 * (Protocol.FATTR_*).
 */
public final class AttributeChange {
  private ByteBuffer in;
  private int at;

  void bind(ByteBuffer in, int at) {
    this.in = in;
    this.at = at;
  }

  public int valid() {
    return in.getInt(at + Layout.SetattrIn.VALID);
  }

  public boolean has(int fattr) {
    return (valid() & fattr) != 0;
  }

  /** The open file's handle, when {@code has(FATTR_FH)} (ftruncate, futimens, fchmod). */
  public long fh() {
    return in.getLong(at + Layout.SetattrIn.FH);
  }

  public long size() {
    return in.getLong(at + Layout.SetattrIn.SIZE_);
  }

  public long lockOwner() {
    return in.getLong(at + Layout.SetattrIn.LOCK_OWNER);
  }

  public long atime() {
    return in.getLong(at + Layout.SetattrIn.ATIME);
  }

  public int atimeNanos() {
    return in.getInt(at + Layout.SetattrIn.ATIMENSEC);
  }

  public long mtime() {
    return in.getLong(at + Layout.SetattrIn.MTIME);
  }

  public int mtimeNanos() {
    return in.getInt(at + Layout.SetattrIn.MTIMENSEC);
  }

  public long ctime() {
    return in.getLong(at + Layout.SetattrIn.CTIME);
  }

  public int ctimeNanos() {
    return in.getInt(at + Layout.SetattrIn.CTIMENSEC);
  }

  public int mode() {
    return in.getInt(at + Layout.SetattrIn.MODE);
  }

  public int uid() {
    return in.getInt(at + Layout.SetattrIn.UID);
  }

  public int gid() {
    return in.getInt(at + Layout.SetattrIn.GID);
  }
}
