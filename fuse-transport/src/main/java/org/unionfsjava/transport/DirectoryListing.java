package org.unionfsjava.transport;

import java.nio.ByteBuffer;

/**
 * Directory entries packed the kernel's way into the reply buffer of one READDIR (struct
 * fuse_dirent) or READDIRPLUS (struct fuse_direntplus) answer, each record padded to 8 bytes.
 * {@code nextOffset} of an entry is what the kernel passes back as the offset of the READDIR that
 * continues after it.
 */
public final class DirectoryListing {
  private final Request request;
  private int size;
  private int used;

  DirectoryListing(Request request) {
    this.request = request;
  }

  void reset(int size) {
    this.size = size;
    this.used = 0;
  }

  /** Bytes packed so far. */
  public int used() {
    return used;
  }

  private ByteBuffer out() {
    return request.out.buffer;
  }

  private static int nameLength(ByteBuffer name) {
    return name.remaining();
  }

  /**
   * Adds an entry of READDIR: name (position to limit), inode number, DT_* type. False, with
   * nothing added, when it does not fit.
   */
  public boolean add(ByteBuffer name, long ino, int type, long nextOffset) {
    int len = nameLength(name);
    int record = Layout.align8(Layout.Dirent.NAME + len);
    if (used + record > size) {
      return false;
    }
    int at = Layout.OutHeader.SIZE + used;
    putDirent(at, name, len, ino, type, nextOffset, record);
    used += record;
    return true;
  }

  private void putDirent(int at, ByteBuffer name, int len, long ino, int type, long nextOffset, int record) {
    ByteBuffer b = out();
    b.putLong(at + Layout.Dirent.INO, ino);
    b.putLong(at + Layout.Dirent.OFF, nextOffset);
    b.putInt(at + Layout.Dirent.NAMELEN, len);
    b.putInt(at + Layout.Dirent.TYPE, type);
    int nameAt = at + Layout.Dirent.NAME;
    for (int i = 0; i < len; i++) {
      b.put(nameAt + i, name.get(name.position() + i));
    }
    int end = at + record;
    for (int i = nameAt + len; i < end; i++) {
      b.put(i, (byte) 0);
    }
  }

  /**
   * Adds an entry of READDIRPLUS with its node and attributes: the kernel counts a lookup of
   * {@code node} for it (FORGET gives it back). Node 0 gives the name without attributes and
   * without a lookup (as for "." and ".."). False, with nothing added, when it does not fit.
   */
  public boolean addPlus(ByteBuffer name, long node, long generation, long entryNanos, long attrNanos,
      Attributes a, long nextOffset) {
    int len = nameLength(name);
    int record = Layout.align8(Layout.Direntplus.SIZE + len);
    if (used + record > size) {
      return false;
    }
    int at = Layout.OutHeader.SIZE + used;
    ByteBuffer b = out();
    b.putLong(at + Layout.EntryOut.NODEID, node);
    b.putLong(at + Layout.EntryOut.GENERATION, generation);
    long e = node == 0 ? 0 : Math.max(0, entryNanos);
    long t = node == 0 ? 0 : Math.max(0, attrNanos);
    b.putLong(at + Layout.EntryOut.ENTRY_VALID, e / 1_000_000_000L);
    b.putLong(at + Layout.EntryOut.ATTR_VALID, t / 1_000_000_000L);
    b.putInt(at + Layout.EntryOut.ENTRY_VALID_NSEC, (int) (e % 1_000_000_000L));
    b.putInt(at + Layout.EntryOut.ATTR_VALID_NSEC, (int) (t % 1_000_000_000L));
    a.writeTo(b, at + Layout.EntryOut.ATTR);
    putDirent(at + Layout.Direntplus.DIRENT, name, len, a.ino, a.direntType(), nextOffset,
        record - Layout.Direntplus.DIRENT);
    used += record;
    return true;
  }

  /** Sends the entries packed so far (none: the end of the directory). */
  public void reply() {
    request.sendListing(used);
  }
}
