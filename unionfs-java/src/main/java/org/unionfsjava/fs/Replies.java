package org.unionfsjava.fs;

import java.nio.ByteBuffer;
import java.util.List;
import jnr.ffi.Pointer;
import org.unionfsjava.fs.nativeio.NativeFile;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.NameCharset;
import org.unionfsjava.model.UnionException;

/**
 * What both FUSE adapters ({@link UnionLowLevel} on libfuse 3, {@link UnionFuse} on libfuse2) put
 * into libfuse's buffers the same way: reads straight into the request buffer, link targets,
 * xattr values and name lists by the xattr size convention.
 */
final class Replies {
  private Replies() {}

  /**
   * Reads into libfuse's buffer with pread on the open file's descriptor; a descriptor gone stale
   * (an NFS lower's server restarted) is reopened once if the file is still the same one. Safe to
   * run on several threads at once.
   */
  static int read(UnionOps ops, long fh, Pointer buf, long size, long offset) throws java.io.IOException {
    OpenFile f = ops.file(fh);
    try {
      return NativeFile.pread(f.fd(), buf, size, offset);
    } catch (UnionException e) {
      if (e.errno() != Errno.ESTALE) {
        throw e;
      }
      return NativeFile.pread(ops.reopenStale(fh, f).fd(), buf, size, offset); // once
    }
  }

  /** The xattr convention: size 0 asks for the length; a short buffer is ERANGE. */
  static int copyOut(byte[] data, Pointer out, long size) throws UnionException {
    if (fitsIn(data, size)) {
      out.put(0, data, 0, data.length);
    }
    return data.length;
  }

  /**
   * The xattr size convention for both adapters: false if the caller asked for the length only
   * (size 0), true if {@code data} fits; ERANGE if the buffer is too small.
   */
  static boolean fitsIn(byte[] data, long size) throws UnionException {
    if (size == 0) {
      return false;
    }
    if (size < data.length) {
      throw new UnionException(Errno.ERANGE, "", "buffer too small");
    }
    return true;
  }

  /** listxattr's answer: the names, each NUL-terminated, by the same convention. */
  static int nameList(List<String> names, Pointer out, long size) throws UnionException {
    return copyOut(nameList(names), out, size);
  }

  /** The names, each NUL-terminated, as listxattr returns them. */
  static byte[] nameList(List<String> names) {
    ByteBuffer all = ByteBuffer.allocate(65536);
    for (String n : names) {
      all.put(NameCharset.bytes(n)).put((byte) 0);
    }
    byte[] bytes = new byte[all.position()];
    all.flip().get(bytes);
    return bytes;
  }

  /** readlink's answer: the target's bytes, cut to the buffer and NUL-terminated. */
  static int linkTarget(String target, Pointer buf, long size) {
    byte[] bytes = NameCharset.bytes(target);
    int n = (int) Math.min(bytes.length, size - 1);
    buf.put(0, bytes, 0, n);
    buf.putByte(n, (byte) 0);
    return 0;
  }
}
