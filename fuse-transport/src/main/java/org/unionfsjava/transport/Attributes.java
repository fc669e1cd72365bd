package org.unionfsjava.transport;

import java.nio.ByteBuffer;

/**
 * The attributes of a node as FUSE sends them (struct fuse_attr): a mutable holder the handler
 * fills, usually the scratch one of its request ({@link Request#attributes()}), so an answer
 * allocates nothing. Times are seconds and nanoseconds since the epoch.
 */
public final class Attributes {
  public long ino;
  public long size;
  /** 512-byte blocks allocated. */
  public long blocks;
  public long atime;
  public int atimeNanos;
  public long mtime;
  public int mtimeNanos;
  public long ctime;
  public int ctimeNanos;
  /** st_mode: type and permission bits. */
  public int mode;
  public int nlink;
  public int uid;
  public int gid;
  /** Device number in the kernel's new_encode_dev format (stat's st_rdev fits for small numbers). */
  public int rdev;
  public int blksize;
  /** FUSE_ATTR_SUBMOUNT, FUSE_ATTR_DAX. */
  public int flags;

  /** Resets every field to 0 and returns this. */
  public Attributes clear() {
    ino = size = blocks = atime = mtime = ctime = 0;
    atimeNanos = mtimeNanos = ctimeNanos = mode = nlink = uid = gid = rdev = blksize = flags = 0;
    return this;
  }

  /** The dirent type (DT_*) for this mode: the file type bits shifted down. */
  public int direntType() {
    return (mode >>> 12) & 017;
  }

  void writeTo(ByteBuffer b, int at) {
    b.putLong(at + Layout.Attr.INO, ino);
    b.putLong(at + Layout.Attr.SIZE_, size);
    b.putLong(at + Layout.Attr.BLOCKS, blocks);
    b.putLong(at + Layout.Attr.ATIME, atime);
    b.putLong(at + Layout.Attr.MTIME, mtime);
    b.putLong(at + Layout.Attr.CTIME, ctime);
    b.putInt(at + Layout.Attr.ATIMENSEC, atimeNanos);
    b.putInt(at + Layout.Attr.MTIMENSEC, mtimeNanos);
    b.putInt(at + Layout.Attr.CTIMENSEC, ctimeNanos);
    b.putInt(at + Layout.Attr.MODE, mode);
    b.putInt(at + Layout.Attr.NLINK, nlink);
    b.putInt(at + Layout.Attr.UID, uid);
    b.putInt(at + Layout.Attr.GID, gid);
    b.putInt(at + Layout.Attr.RDEV, rdev);
    b.putInt(at + Layout.Attr.BLKSIZE, blksize);
    b.putInt(at + Layout.Attr.FLAGS, flags);
  }

  /** Reads a fuse_attr (the decoder's side, for tests and recorded streams). */
  void readFrom(ByteBuffer b, int at) {
    ino = b.getLong(at + Layout.Attr.INO);
    size = b.getLong(at + Layout.Attr.SIZE_);
    blocks = b.getLong(at + Layout.Attr.BLOCKS);
    atime = b.getLong(at + Layout.Attr.ATIME);
    mtime = b.getLong(at + Layout.Attr.MTIME);
    ctime = b.getLong(at + Layout.Attr.CTIME);
    atimeNanos = b.getInt(at + Layout.Attr.ATIMENSEC);
    mtimeNanos = b.getInt(at + Layout.Attr.MTIMENSEC);
    ctimeNanos = b.getInt(at + Layout.Attr.CTIMENSEC);
    mode = b.getInt(at + Layout.Attr.MODE);
    nlink = b.getInt(at + Layout.Attr.NLINK);
    uid = b.getInt(at + Layout.Attr.UID);
    gid = b.getInt(at + Layout.Attr.GID);
    rdev = b.getInt(at + Layout.Attr.RDEV);
    blksize = b.getInt(at + Layout.Attr.BLKSIZE);
    flags = b.getInt(at + Layout.Attr.FLAGS);
  }
}
