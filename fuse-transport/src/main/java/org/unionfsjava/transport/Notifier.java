package org.unionfsjava.transport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.unionfsjava.transport.NativeCalls.LibC;

/**
 * Unsolicited messages to the kernel on a session's descriptor: a fuse_out_header with unique 0
 * and the notify code in its error field, then the code's struct and a NUL-terminated name. One
 * message at a time (they share a buffer); any thread may send.
 */
public final class Notifier {
  private final int deviceFd;
  private final NativeBuffer buffer = new NativeBuffer(Layout.OutHeader.SIZE + 64 + 4096);

  Notifier(int deviceFd) {
    this.deviceFd = deviceFd;
  }

  private synchronized int notify(int code, int bodyLength) {
    ByteBuffer b = buffer.buffer;
    int len = Layout.OutHeader.SIZE + bodyLength;
    b.putInt(Layout.OutHeader.LEN, len);
    b.putInt(Layout.OutHeader.ERROR, code);
    b.putLong(Layout.OutHeader.UNIQUE, 0);
    long rc = LibC.INSTANCE.write(deviceFd, buffer.address, len);
    return rc == len ? 0 : LibC.errno();
  }

  private static int putName(ByteBuffer b, int at, byte[] name) {
    b.put(at, name);
    b.put(at + name.length, (byte) 0);
    return name.length + 1;
  }

  /**
   * Drops the kernel's cached attributes of {@code node} and its data from {@code offset} for
   * {@code length} bytes (length 0: to the end; offset negative: attributes only). Returns 0, or
   * the errno (ENOENT: the kernel has no such node cached).
   */
  public synchronized int invalInode(long node, long offset, long length) {
    ByteBuffer b = buffer.buffer;
    int at = Layout.OutHeader.SIZE;
    b.putLong(at + Layout.NotifyInvalInodeOut.INO, node);
    b.putLong(at + Layout.NotifyInvalInodeOut.OFF, offset);
    b.putLong(at + Layout.NotifyInvalInodeOut.LEN, length);
    return notify(Protocol.NOTIFY_INVAL_INODE, Layout.NotifyInvalInodeOut.SIZE);
  }

  /** Drops the kernel's entry {@code name} in {@code parent} (flags: {@link Protocol#EXPIRE_ONLY}). */
  public synchronized int invalEntry(long parent, String name, int flags) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = buffer.buffer;
    int at = Layout.OutHeader.SIZE;
    b.putLong(at + Layout.NotifyInvalEntryOut.PARENT, parent);
    b.putInt(at + Layout.NotifyInvalEntryOut.NAMELEN, n.length);
    b.putInt(at + Layout.NotifyInvalEntryOut.FLAGS, flags);
    int len = putName(b, at + Layout.NotifyInvalEntryOut.SIZE, n);
    return notify(Protocol.NOTIFY_INVAL_ENTRY, Layout.NotifyInvalEntryOut.SIZE + len);
  }

  /** Tells the kernel that {@code name} (node {@code child}) in {@code parent} was deleted. */
  public synchronized int delete(long parent, long child, String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = buffer.buffer;
    int at = Layout.OutHeader.SIZE;
    b.putLong(at + Layout.NotifyDeleteOut.PARENT, parent);
    b.putLong(at + Layout.NotifyDeleteOut.CHILD, child);
    b.putInt(at + Layout.NotifyDeleteOut.NAMELEN, n.length);
    b.putInt(at + Layout.NotifyDeleteOut.NAMELEN + 4, 0);
    int len = putName(b, at + Layout.NotifyDeleteOut.SIZE, n);
    return notify(Protocol.NOTIFY_DELETE, Layout.NotifyDeleteOut.SIZE + len);
  }
}
